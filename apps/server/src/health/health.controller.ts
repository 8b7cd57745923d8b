import { Controller, Get, Res } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Database } from '../common/database';
import { DISPATCH_QUEUE } from '../engine/queues';
import { Metrics } from '../engine/metrics';
import { ApiJson } from '../openapi/api-responses';

async function check(work: () => Promise<unknown>, ms = 2_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]);
    return 'ok';
  } catch (err) {
    return `down: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** `/health` (PostgreSQL and Redis) and `/metrics` (Prometheus). No auth: they reveal no lead data. */
@Controller()
@ApiTags('operations')
export class HealthController {
  constructor(
    private readonly db: Database,
    @InjectQueue(DISPATCH_QUEUE) private readonly queue: Queue,
    private readonly metrics: Metrics,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'PostgreSQL and Redis, each answering within 2 s' })
  @ApiJson(200, 'Health', 'Both answered.')
  @ApiJson(503, 'Health', '`status: "unavailable"`, with `down: …` for the part that did not answer.')
  async health(@Res() res: FastifyReply): Promise<void> {
    const [postgres, redis] = await Promise.all([
      check(() => this.db.query('select 1')),
      check(() => this.queue.getJobCounts('waiting')),
    ]);
    const ok = postgres === 'ok' && redis === 'ok';
    res.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', postgres, redis });
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus text, per process (docs/api.md › Operations)' })
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } })
  async prometheus(@Res() res: FastifyReply): Promise<void> {
    const registry = this.metrics.registry;
    res.type(registry.contentType).send(await registry.metrics());
  }
}
