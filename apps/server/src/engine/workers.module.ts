import { Module } from '@nestjs/common';
import { DispatchProcessor } from './dispatch.processor';
import { EngineModule } from './engine.module';
import { ScheduleProcessor } from './schedule.processor';
import { SweeperWatch } from './sweeper';

/** The queue workers, run by `worker` and `all` processes only (started by bootstrap once campaigns are loaded). */
@Module({ imports: [EngineModule], providers: [DispatchProcessor, ScheduleProcessor, SweeperWatch] })
export class WorkersModule {}
