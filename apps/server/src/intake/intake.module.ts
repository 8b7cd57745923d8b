import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { IntakeController } from './intake.controller';
import { IntakeService } from './intake.service';
import { PingLimiter } from './ping.limiter';
import { PingService } from './ping.service';
import { PingsController } from './pings.controller';

/** Lead sources ping and post here: normalise, validate, commit lead and dispatches, hand real-time ones to the engine. */
@Module({ imports: [EngineModule], controllers: [IntakeController, PingsController], providers: [IntakeService, PingService, PingLimiter] })
export class IntakeModule {}
