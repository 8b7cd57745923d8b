import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { CampaignLoader, CampaignProblems } from '@leadrelay/campaigns';
import { createLogger, inProduction, loadConfig, type AppConfig, type DestinationStream } from '@leadrelay/config';
import { databaseName, ensureDatabase, migrate } from '@leadrelay/persistence';
import { serveQueueDashboard, QUEUE_DASHBOARD_PATH } from './admin/queue-dashboard';
import { AppModule } from './app.module';
import { CampaignApplier, gitCommit } from './campaigns/campaign.applier';
import { CampaignRegistry } from './campaigns/campaign.registry';
import { RetiredCampaigns } from './campaigns/retired-campaigns';
import { RequestLogging, requestIdOf } from './common/request-logging';
import { DispatchProcessor } from './engine/dispatch.processor';
import { ScheduleProcessor } from './engine/schedule.processor';
import { ScheduleSync } from './engine/schedule.sync';
import { SweeperWatch } from './engine/sweeper';
import { serveOpenApi } from './openapi/openapi.document';

export interface StartedServer {
  app: NestFastifyApplication;
  config: AppConfig;
  logger: Logger;
  url: string;
}

export interface StartOptions {
  /** More plugin modules (tests install their own this way). */
  plugins?: Type<unknown>[];
  /** Where the JSON log goes instead of stdout (the e2e suites read a server's lines back). */
  logDestination?: DestinationStream;
}

/**
 * Starts the host: read the settings (in production mode, refuse insecure ones), migrate, load and
 * validate every campaign file (exit on any problem), apply them, sync schedules, start workers,
 * then serve. Each step says what it did in the log (docs/architecture.md › Logs). Used by main.ts
 * and by the end-to-end tests.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env, options: StartOptions = {}): Promise<StartedServer> {
  const config = loadConfig(env, () => randomBytes(18).toString('base64url'));
  const requests = new RequestLogging();
  const logger = createLogger(config.LOG_LEVEL, { mixin: requests.mixin, destination: options.logDestination });
  requests.use(logger);
  await prepareDatabase(config.DATABASE_URL, logger);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger, options.plugins, requests.params), httpAdapter(requests), {
    bodyParser: false,
    logger: requests.nestLogger,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Handlers read their bodies themselves (common/request-body.ts): every type passes through unread.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_req, _payload, done) => done(null));
  // @fastify/cookie stays at 11.1.0, the last release on the CommonJS `cookie` 1.x: later ones load
  // `cookie` 2 with a dynamic import(), which jest's CommonJS VM (the e2e suites run the server
  // in-process) cannot service.
  await app.register(fastifyCookie);
  // GET /openapi.json and /docs (docs/api.md › OpenAPI); routes must be in before the app starts.
  serveOpenApi(app);
  if (config.LEADRELAY_ROLE !== 'worker') await serveQueueDashboard(app, config);
  app.enableShutdownHooks();
  await app.init();
  try {
    const campaigns = app.get(CampaignLoader).loadAll(path.resolve(config.CAMPAIGNS_DIR), env, { refuseSecretFallbacks: inProduction(config) });
    const ids = campaigns.map((c) => c.id);
    logger.info({ count: ids.length, campaigns: ids }, `campaigns loaded: ${ids.length} (${ids.join(', ')})`);
    app.get(CampaignRegistry).replace(campaigns);
    await app.get(CampaignApplier).apply(campaigns, gitCommit(path.resolve(config.CAMPAIGNS_DIR)));
    await app.get(RetiredCampaigns).load(env);
  } catch (err) {
    await app.close();
    throw err;
  }
  if (config.LEADRELAY_ROLE !== 'api') {
    await app.get(ScheduleSync).sync();
    const workers = [app.get(DispatchProcessor).worker, app.get(ScheduleProcessor).worker];
    for (const worker of workers) {
      worker.run().catch((err) => logger.error({ err, queue: worker.name }, 'a queue worker stopped'));
    }
    app.get(SweeperWatch).start();
    logger.info({ queues: workers.map((w) => w.name) }, `queue workers started: ${workers.map((w) => w.name).join(', ')}`);
  }
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url, role: config.LEADRELAY_ROLE, ...(config.LEADRELAY_ROLE !== 'worker' ? { queueDashboard: `${url}${QUEUE_DASHBOARD_PATH}` } : {}) }, 'leadrelay is up');
  return { app, config, logger, url };
}

/** Creates the database if there is none and runs the migrations it lacks, saying which. */
async function prepareDatabase(url: string, logger: Logger): Promise<void> {
  if (await ensureDatabase(url)) logger.info({ database: databaseName(url) }, `database ${databaseName(url)} created`);
  const applied = await migrate(url);
  if (applied.length) logger.info({ migrations: applied }, `migrations applied: ${applied.length} (${applied.join(', ')})`);
  else logger.info('database up to date');
}

/**
 * Fastify rather than Express: Nest on Fastify spends about half the CPU per request (README,
 * Performance: `http-adapter`). Fastify sends no `X-Powered-By` and no ETag. Routing matches
 * Express's defaults (a trailing slash and letter case do not matter), and a request arriving on a
 * kept-alive connection while the server stops is still served (answered with `Connection: close`)
 * rather than refused with Fastify's own 503 body.
 */
function httpAdapter(requests: RequestLogging): FastifyAdapter {
  const adapter = new FastifyAdapter({
    trustProxy: 'loopback',
    return503OnClosing: false,
    // Node's own default, which Fastify turns off: a client gets 5 minutes to send its whole request.
    requestTimeout: 300_000,
    // No limit of its own on a path parameter's length (Express has none): an id too long is not found.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // A URL that does not decode is refused by the router before Nest sees the request.
    frameworkErrors: (err: Error, _req: FastifyRequest, reply: FastifyReply) => reply.code(400).send({ error: 'bad_request', message: err.message }),
    genReqId: requestIdOf,
  });
  // Before Nest's middleware, where nestjs-pino's binds the request's logger (common/request-logging.ts).
  adapter.setOnRequestHook(requests.onRequest);
  return adapter;
}

export { CampaignProblems };
