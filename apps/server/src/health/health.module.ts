import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { HealthController } from './health.controller';

/** `/health` and `/metrics`, served by every role. */
@Module({ imports: [EngineModule], controllers: [HealthController] })
export class HealthModule {}
