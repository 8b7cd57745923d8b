import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BullModule } from '@nestjs/bullmq';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { Logger } from 'pino';
import { CampaignsModule } from '@leadrelay/campaigns';
import { ormConfig } from '@leadrelay/persistence';
import { InstalledPluginsModule } from '@leadrelay/plugins/installed-plugins.module';
import { AdminQueries } from './admin/admin-queries';
import { BatchesController } from './admin/batches.controller';
import { CampaignsController } from './admin/campaigns.controller';
import { LeadsController } from './admin/leads.controller';
import { CampaignApplier } from './campaigns/campaign.applier';
import { CampaignRegistry } from './campaigns/campaign.registry';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { Database } from './common/database';
import { redisConnection } from './common/redis-connection';
import { APP_CONFIG, type ServerConfig } from './config.token';
import { ConsoleController } from './console/console.controller';
import { DemoBuyerController } from './demo-buyer/demo-buyer.controller';
import { BatchDeliveries } from './engine/batch.deliveries';
import { BatchFiles } from './engine/batch-files';
import { DispatchEnqueuer } from './engine/dispatch.enqueuer';
import { DispatchOutcomes } from './engine/dispatch.outcomes';
import { DispatchProcessor } from './engine/dispatch.processor';
import { DispatchRetry } from './engine/dispatch.retry';
import { DISPATCH_QUEUE, SCHEDULE_QUEUE } from './engine/queues';
import { ScheduleProcessor } from './engine/schedule.processor';
import { ScheduleSync } from './engine/schedule.sync';
import { Sweeper, SweeperWatch } from './engine/sweeper';
import { HealthController } from './health/health.controller';
import { Metrics } from './health/metrics';
import { IntakeController } from './intake/intake.controller';
import { IntakeService } from './intake/intake.service';

class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

/** The host. `LEADRELAY_ROLE` decides whether it serves HTTP (api), runs workers (worker), or both. */
@Module({})
export class AppModule {
  static forRoot(config: ServerConfig, logger: Logger): DynamicModule {
    const api = config.LEADRELAY_ROLE !== 'worker';
    const worker = config.LEADRELAY_ROLE !== 'api';
    if (worker) DispatchProcessor.configure(config);
    return {
      module: AppModule,
      imports: [
        CampaignsModule.forRoot({ logger, smtpUrl: config.SMTP_URL, outboxDir: config.OUTBOX_DIR }),
        InstalledPluginsModule,
        // No per-request ORM context: every use forks its own EntityManager, and the context's
        // AsyncLocalStorage costs every request on the intake hot path (measured, README B1).
        MikroOrmModule.forRoot({ ...ormConfig(config.DATABASE_URL), registerRequestContext: false }),
        BullModule.forRoot({ connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX }),
        BullModule.registerQueue({ name: DISPATCH_QUEUE }, { name: SCHEDULE_QUEUE }),
      ],
      controllers: [
        HealthController,
        ...(api ? [IntakeController, CampaignsController, LeadsController, BatchesController, ConsoleController] : []),
        ...(api && config.DEMO_BUYER === 'on' ? [DemoBuyerController] : []),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Database, useFactory: () => new Database(config.DATABASE_URL) },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        DatabaseCloser,
        CampaignRegistry,
        CampaignApplier,
        IntakeService,
        AdminQueries,
        DispatchEnqueuer,
        DispatchOutcomes,
        DispatchRetry,
        BatchDeliveries,
        BatchFiles,
        Sweeper,
        ScheduleSync,
        Metrics,
        ...(worker ? [DispatchProcessor, ScheduleProcessor, SweeperWatch] : []),
      ],
    };
  }
}
