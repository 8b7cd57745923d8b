import { DynamicModule, Module, type Type } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { LoggerModule, type Params as RequestLogParams } from 'nestjs-pino';
import type { Logger } from 'pino';
import { CampaignsModule } from '@leadrelay/campaigns';
import { blocksPrivateNetworks } from '@leadrelay/config';
import { PrivateNetworkPolicy } from '@leadrelay/http-client';
import { ormConfig } from '@leadrelay/persistence';
import { InstalledPluginsModule } from '@leadrelay/plugins/installed-plugins.module';
import { AdminModule } from './admin/admin.module';
import { CampaignsInForceModule } from './campaigns/campaigns-in-force.module';
import { CoreModule } from './common/core.module';
import { redisConnection } from './common/redis-connection';
import type { ServerConfig } from './config.token';
import { ConsoleModule } from './console/console.module';
import { DemoBuyerModule } from './demo-buyer/demo-buyer.module';
import { DispatchProcessor } from './engine/dispatch.processor';
import { EngineModule } from './engine/engine.module';
import { WorkersModule } from './engine/workers.module';
import { ErasureModule } from './erasure/erasure.module';
import { HealthModule } from './health/health.module';
import { IntakeModule } from './intake/intake.module';

/**
 * The host, in rooms: intake → engine ← admin / console, health → engine, with the campaigns in
 * force and the core (config, database) underneath. `LEADRELAY_ROLE` decides whether it serves
 * HTTP (api), runs the workers (worker), or both (docs/architecture.md).
 */
@Module({})
export class AppModule {
  /**
   * `plugins`: more plugin modules beside `plugins/installed-plugins.module.ts` (tests install their
   * own this way). `requestLogs`: nestjs-pino's settings (common/request-logging.ts).
   */
  static forRoot(config: ServerConfig, logger: Logger, plugins: Type<unknown>[] = [], requestLogs: RequestLogParams = {}): DynamicModule {
    const api = config.LEADRELAY_ROLE !== 'worker';
    const worker = config.LEADRELAY_ROLE !== 'api';
    if (worker) DispatchProcessor.configure(config);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        LoggerModule.forRoot(requestLogs),
        CampaignsModule.forRoot({
          logger,
          smtpUrl: config.SMTP_URL,
          outboxDir: config.OUTBOX_DIR,
          privateNetworks: blocksPrivateNetworks(config) ? new PrivateNetworkPolicy(config.PRIVATE_NETWORK_ALLOW) : undefined,
        }),
        InstalledPluginsModule,
        ...plugins,
        // No per-request ORM context: every use forks its own EntityManager, and the context's
        // AsyncLocalStorage costs every request on the intake hot path (measured, README B1).
        MikroOrmModule.forRoot({ ...ormConfig(config.DATABASE_URL), registerRequestContext: false }),
        BullModule.forRoot({ connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX }),
        CampaignsInForceModule,
        EngineModule,
        HealthModule,
        ...(api ? [IntakeModule, AdminModule, ConsoleModule, ErasureModule] : []),
        ...(api && config.DEMO_BUYER === 'on' ? [DemoBuyerModule] : []),
        ...(worker ? [WorkersModule] : []),
      ],
    };
  }
}
