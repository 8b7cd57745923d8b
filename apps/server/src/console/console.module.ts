import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { EngineModule } from '../engine/engine.module';
import { ConsoleController } from './console.controller';

/** The web console: server-rendered pages over the same services as the admin API. */
@Module({ imports: [EngineModule, AdminModule], controllers: [ConsoleController] })
export class ConsoleModule {}
