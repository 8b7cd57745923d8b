import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { APP_CONFIG, type ServerConfig } from '../config.token';
import { ApiExceptionFilter } from './api-exception.filter';
import { Database } from './database';

/**
 * The first and the last word of a stop (`app.close()`, SIGTERM, SIGINT): every module's destroy
 * hook runs before the workers drain, and this global module's shutdown hook after every other
 * module's, so the database pool closes last and `stopped` means stopped.
 */
class DatabaseCloser implements OnModuleDestroy, OnApplicationShutdown {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleDestroy(): void {
    this.logger.info('shutting down');
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.db.close();
    this.logger.info({ signal }, 'stopped');
  }
}

/** What every room of the server shares: its configuration, the database pool, the error filter. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: ServerConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Database, useFactory: () => new Database(config.DATABASE_URL, {
            size: config.DB_POOL_SIZE,
            streams: config.DB_STREAM_POOL_SIZE,
            waitMs: config.DB_POOL_WAIT_MS,
            statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
          }) },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        DatabaseCloser,
      ],
      exports: [APP_CONFIG, Database],
    };
  }
}
