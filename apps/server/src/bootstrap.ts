import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { Logger } from 'pino';
import { CampaignLoader, CampaignProblems } from '@leadrelay/campaigns';
import { createLogger, loadConfig, type AppConfig } from '@leadrelay/config';
import { migrate } from '@leadrelay/persistence';
import { AppModule } from './app.module';
import { CampaignApplier, gitCommit } from './campaigns/campaign.applier';
import { CampaignRegistry } from './campaigns/campaign.registry';
import { PinoNestLogger } from './common/pino-nest.logger';
import { DispatchProcessor } from './engine/dispatch.processor';
import { ScheduleProcessor } from './engine/schedule.processor';
import { ScheduleSync } from './engine/schedule.sync';
import { SweeperWatch } from './engine/sweeper';

export interface StartedServer {
  app: NestExpressApplication;
  config: AppConfig;
  logger: Logger;
  url: string;
}

/**
 * Starts the host: migrate, load and validate every campaign file (exit on any problem), apply
 * them, sync schedules, start workers, then serve. Used by main.ts and by the end-to-end tests.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env, options: { plugins?: Type<unknown>[] } = {}): Promise<StartedServer> {
  const config = loadConfig(env, () => randomBytes(18).toString('base64url'));
  const logger = createLogger(config.LOG_LEVEL);
  await migrate(config.DATABASE_URL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, options.plugins), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // API answers are never revalidated: skip hashing every body for an ETag.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use('/console', cookieParser());
  app.enableShutdownHooks();
  await app.init();
  try {
    const campaigns = app.get(CampaignLoader).loadAll(path.resolve(config.CAMPAIGNS_DIR), env);
    app.get(CampaignRegistry).replace(campaigns);
    await app.get(CampaignApplier).apply(campaigns, gitCommit(path.resolve(config.CAMPAIGNS_DIR)));
  } catch (err) {
    await app.close();
    throw err;
  }
  if (config.LEADRELAY_ROLE !== 'api') {
    await app.get(ScheduleSync).sync();
    for (const worker of [app.get(DispatchProcessor).worker, app.get(ScheduleProcessor).worker]) {
      worker.run().catch((err) => logger.error({ err, queue: worker.name }, 'a queue worker stopped'));
    }
    app.get(SweeperWatch).start();
  }
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url, role: config.LEADRELAY_ROLE }, 'leadrelay is up');
  if (config.generatedAdminToken) {
    logger.warn({ adminToken: config.generatedAdminToken }, 'ADMIN_TOKENS is not set: use this generated admin token for this run');
  }
  return { app, config, logger, url };
}

export { CampaignProblems };
