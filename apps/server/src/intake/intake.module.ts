import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { IntakeController } from './intake.controller';
import { IntakeService } from './intake.service';

/** Lead sources post here: normalise, validate, commit lead and dispatches, hand real-time ones to the engine. */
@Module({ imports: [EngineModule], controllers: [IntakeController], providers: [IntakeService] })
export class IntakeModule {}
