import { Queue } from 'bullmq';
import { redisConnection } from '../../../apps/server/src/common/redis-connection';
import { DISPATCH_QUEUE, SCHEDULE_QUEUE } from '../../../apps/server/src/engine/queues';

/** Removes a test server's queues (jobs, job schedulers, events) from Redis once the suite is done. */
export async function obliterateQueues(env: NodeJS.ProcessEnv): Promise<void> {
  for (const name of [DISPATCH_QUEUE, SCHEDULE_QUEUE]) {
    const queue = new Queue(name, { connection: redisConnection(env.REDIS_URL ?? 'redis://127.0.0.1:6379'), prefix: env.QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
  }
}
