import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { AuditModule } from '../audit/audit.module';
import { EngineModule } from '../engine/engine.module';
import { ConsoleSessions } from './console-session.store';
import { ConsoleController } from './console.controller';
import { LoginLimiter } from './login.limiter';
import { DeliveryHealth } from './delivery-health.service';

/** The web console: server-rendered pages over the same services as the admin API, with its own sessions. */
@Module({ imports: [EngineModule, AdminModule, AuditModule], controllers: [ConsoleController], providers: [ConsoleSessions, LoginLimiter, DeliveryHealth] })
export class ConsoleModule {}
