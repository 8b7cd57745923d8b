import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { BatchDeliveries } from './batch.deliveries';
import { BatchFiles } from './batch-files';
import { DispatchOutbox } from './dispatch.outbox';
import { DispatchOutcomes } from './dispatch.outcomes';
import { DispatchRetry } from './dispatch.retry';
import { LeadEraser } from './lead.eraser';
import { LeadRetention } from './lead.retention';
import { Metrics } from './metrics';
import { DISPATCH_QUEUE, SCHEDULE_QUEUE } from './queues';
import { ScheduleSync } from './schedule.sync';
import { Sweeper } from './sweeper';
import { CapLedger } from './contracts/cap.ledger';
import { DeliveryGate } from './contracts/delivery.gate';
import { DeliveryStates } from './contracts/delivery.state';
import { AuctionRunner } from './auction/auction.runner';
import { PingBids } from './auction/ping.bids';

const SERVICES = [DispatchOutbox, DispatchOutcomes, DispatchRetry, BatchDeliveries, BatchFiles, Sweeper, ScheduleSync, Metrics, DeliveryGate, CapLedger, DeliveryStates, LeadEraser, LeadRetention, AuctionRunner, PingBids];

/**
 * The engine: queues, the one writer of dispatch status, batches and their files, schedules, the
 * sweeper, the lead eraser and the retention job. Intake, the admin API, the console, health and
 * erasure requests import it; it imports none of them.
 */
@Module({
  imports: [BullModule.registerQueue({ name: DISPATCH_QUEUE }, { name: SCHEDULE_QUEUE })],
  providers: SERVICES,
  exports: [...SERVICES, BullModule],
})
export class EngineModule {}
