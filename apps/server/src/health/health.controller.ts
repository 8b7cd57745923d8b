import { Controller, Get, Header, Res } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import { Database } from '../common/database';
import { DISPATCH_QUEUE } from '../engine/queues';
import { Metrics } from '../engine/metrics';

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
export class HealthController {
  constructor(
    private readonly db: Database,
    @InjectQueue(DISPATCH_QUEUE) private readonly queue: Queue,
    private readonly metrics: Metrics,
  ) {}

  @Get('health')
  async health(@Res() res: FastifyReply): Promise<void> {
    const [postgres, redis] = await Promise.all([
      check(() => this.db.query('select 1')),
      check(() => this.queue.getJobCounts('waiting')),
    ]);
    const ok = postgres === 'ok' && redis === 'ok';
    res.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', postgres, redis });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    let depth: Record<string, number> = {};
    try {
      const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active');
      depth = { [`${DISPATCH_QUEUE}`]: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0) };
    } catch {
      depth = {};
    }
    return this.metrics.render(depth);
  }
}
