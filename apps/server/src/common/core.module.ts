import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, type ServerConfig } from '../config.token';
import { ApiExceptionFilter } from './api-exception.filter';
import { Database } from './database';

class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
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
