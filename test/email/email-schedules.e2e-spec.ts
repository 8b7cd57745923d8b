import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultRepeatStrategy, Queue, QueueEvents } from 'bullmq';
import { at, every } from '@leadrelay/sdk';
import { nextFireTimes } from '@leadrelay/schedules';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { redisConnection } from '../../apps/server/src/common/redis-connection';
import { SCHEDULE_QUEUE } from '../../apps/server/src/engine/queues';
import { dropDatabase, eventually, sql, testEnv } from '../support/test-server';
import { attachment, batchOf, fileRows, leadIdsOf, MailInbox, postLead } from './support/mail-inbox';
import { obliterateQueues } from './support/test-queues';

const REDIS = 'redis://127.0.0.1:6379';
const scheduleQueue = (prefix: string) => new Queue(SCHEDULE_QUEUE, { connection: redisConnection(REDIS), prefix });

describe('R6: three instances running the same every(\'2s\') schedule send one email per tick', () => {
  const TICK_PREFIX = 'repeat:batch:email-every:every-2s:';
  let inbox: MailInbox;
  let env: NodeJS.ProcessEnv;
  let events: QueueEvents;
  const instances: StartedServer[] = [];
  /** Every tick job of the delivery that completed, with what it returned. */
  const ticks: { jobId: string; millis: number; batch?: string; leadCount: number }[] = [];

  beforeAll(async () => {
    inbox = await MailInbox.start();
    env = testEnv('email_r6', { CAMPAIGNS_DIR: 'test/campaigns-email', SMTP_URL: inbox.url });
    events = new QueueEvents(SCHEDULE_QUEUE, { connection: redisConnection(REDIS), prefix: env.QUEUE_PREFIX });
    await events.waitUntilReady();
    events.on('completed', ({ jobId, returnvalue }) => {
      if (!jobId.startsWith(TICK_PREFIX)) return;
      const value = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as { batch?: string; leadCount: number };
      ticks.push({ jobId, millis: Number(jobId.slice(TICK_PREFIX.length).split(':').pop()), ...value });
    });
    // One after the other, as a deploy rolls: each start upserts the same job schedulers.
    for (let i = 0; i < 3; i++) instances.push(await startServer(env));
  });
  afterAll(async () => {
    for (const s of instances) await s.app.close();
    await events?.close();
    await obliterateQueues(env);
    await inbox?.close();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('leads posted to all three over several ticks: each tick mails once, each lead once', async () => {
    const posted: string[] = [];
    const until = Date.now() + 9_000;
    for (let i = 0; Date.now() < until; i++) {
      const lead = await postLead(instances[i % 3].url, 'email-every', 'every-key', { first_name: `Lead ${i}`, email: `lead${i}@example.com` });
      posted.push(lead.id);
      await new Promise((r) => setTimeout(r, 150));
    }
    await eventually(
      async () => (await sql(env.DATABASE_URL!, `select 1 from dispatch where delivery_id = 'every-2s' and status <> 'delivered'`)).length === 0,
      15_000,
      'every lead mailed',
    );
    await eventually(async () => inbox.to('every@acme.example').length === ticks.filter((t) => t.batch).length, 5_000, 'every tick event seen');

    const mails = inbox.to('every@acme.example');
    const mailedBatches = mails.map(batchOf);
    const mailedLeads = mails.flatMap((m) => leadIdsOf(fileRows(attachment(m).content).slice(1)));
    // Each lead in exactly one message; each batch in exactly one message.
    expect(mailedLeads.sort()).toEqual([...posted].sort());
    expect(new Set(mailedBatches).size).toBe(mails.length);
    const batches = await sql(env.DATABASE_URL!, `select id, status, lead_count from batch where delivery_id = 'every-2s'`);
    expect(batches.map((b) => b.id).sort()).toEqual([...mailedBatches].sort());

    // Each tick ran once, on one instance, and made at most one batch: one message per tick.
    const ids = ticks.map((t) => t.jobId);
    expect(new Set(ids).size).toBe(ids.length);
    const withBatch = ticks.filter((t) => t.batch);
    expect(withBatch.map((t) => t.batch).sort()).toEqual([...mailedBatches].sort());
    expect(withBatch.length).toBeGreaterThanOrEqual(4);
    // One chain of ticks on the even seconds: three upserts did not start three schedules.
    const times = [...new Set(ticks.map((t) => t.millis))].sort((a, b) => a - b);
    for (const t of times) expect(t % 2_000).toBe(0);
    for (const t of withBatch) {
      const mail = mails.find((m) => batchOf(m) === t.batch)!;
      expect(leadIdsOf(fileRows(attachment(mail).content).slice(1))).toHaveLength(t.leadCount);
    }
  });
});

describe('ScheduleSync: job schedulers follow the campaign files at every start', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let queue: Queue;
  const file = () => path.join(dir, 'sched.campaign.ts');
  const campaign = (deliveries: string) => `import { at, defineCampaign, email, every, field } from '@leadrelay/sdk';
export default defineCampaign({
  id: 'sched',
  name: 'Schedules',
  intakeKeys: ['sched-key'],
  fields: [field.text('first_name', { required: true })],
  deliveries: [${deliveries}],
});
`;
  const mailTo = (id: string, schedule: string) => `email({ id: '${id}', from: 'a@leadrelay.example', to: ['b@acme.example'], subject: 'x', schedule: ${schedule} })`;
  const withServer = async (work: () => Promise<void>) => {
    const server = await startServer(env);
    try {
      await work();
    } finally {
      await server.app.close();
    }
  };
  const batchSchedulers = async () =>
    (await queue.getJobSchedulers(0, -1))
      .filter((s) => s.key.startsWith('batch:'))
      .map((s) => ({ key: s.key, pattern: s.pattern, tz: s.tz, every: s.every }))
      .sort((a, b) => a.key.localeCompare(b.key));
  /** The next tick job of each batch scheduler, waiting for its time. */
  const nextTickJobs = async () =>
    (await queue.getDelayed())
      .map((j) => j.id!)
      .filter((id) => id.startsWith('repeat:batch:'))
      .map((id) => id.replace(/:\d+$/, ''))
      .sort();
  const nextTickAt = async (schedulerKey: string) => {
    const [job] = (await queue.getDelayed()).filter((j) => j.id!.startsWith(`repeat:${schedulerKey}:`));
    return Number(job.id!.split(':').pop());
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'leadrelay-schedules-'));
    env = testEnv('email_sync', { CAMPAIGNS_DIR: dir });
    queue = scheduleQueue(env.QUEUE_PREFIX!);
  });
  afterAll(async () => {
    await queue.close();
    await obliterateQueues(env);
    await rm(dir, { recursive: true, force: true });
    await dropDatabase(env.DATABASE_URL!);
  });

  it('adds, changes and removes schedulers (and their next tick) as the file changes', async () => {
    await writeFile(file(), campaign([mailTo('morning', "at(['08:00'], 'America/Chicago')"), mailTo('hourly', "every('1h')")].join(',\n')));
    await withServer(async () => {
      expect(await batchSchedulers()).toEqual([
        { key: 'batch:sched:hourly:every-3600000', pattern: undefined, tz: undefined, every: 3_600_000 },
        { key: 'batch:sched:morning:cron-0_8_*_*_*-America/Chicago', pattern: '0 8 * * *', tz: 'America/Chicago', every: undefined },
      ]);
      expect(await nextTickJobs()).toEqual(['repeat:batch:sched:hourly:every-3600000', 'repeat:batch:sched:morning:cron-0_8_*_*_*-America/Chicago']);
      // every('1h') ticks on the hour, as nextFireTimes says, not an hour after the deploy.
      expect(await nextTickAt('batch:sched:hourly:every-3600000')).toBe(nextFireTimes(every('1h'), new Date(), 1)[0].getTime());
    });

    // 15:00 added to the morning email, the hourly one dropped.
    await writeFile(file(), campaign(mailTo('morning', "at(['08:00', '15:00'], 'America/Chicago')")));
    await withServer(async () => {
      expect(await batchSchedulers()).toEqual([
        { key: 'batch:sched:morning:cron-0_8,15_*_*_*-America/Chicago', pattern: '0 8,15 * * *', tz: 'America/Chicago', every: undefined },
      ]);
      expect(await nextTickJobs()).toEqual(['repeat:batch:sched:morning:cron-0_8,15_*_*_*-America/Chicago']);
    });

    // Restarting with the same file changes nothing.
    await withServer(async () => {
      expect((await batchSchedulers()).map((s) => s.key)).toEqual(['batch:sched:morning:cron-0_8,15_*_*_*-America/Chicago']);
      expect(await nextTickJobs()).toHaveLength(1);
    });

    // The campaign file removed: the campaign is archived and its schedules go; the sweeper and the retention job stay.
    await unlink(file());
    await withServer(async () => {
      expect(await batchSchedulers()).toEqual([]);
      expect(await nextTickJobs()).toEqual([]);
      expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['retention', 'sweeper']);
      expect(await sql(env.DATABASE_URL!, `select archived from campaign where id = 'sched'`)).toEqual([{ archived: true }]);
    });
  });

  it('at 08:00 America/Chicago: the upserted pattern and zone fire at 08:00 local on both sides of each DST change, by BullMQ\'s own clock', async () => {
    await writeFile(file(), campaign(mailTo('morning', "at(['08:00'], 'America/Chicago')")));
    await withServer(async () => {
      const [scheduler] = await batchSchedulers();
      const repeat = { pattern: scheduler.pattern!, tz: scheduler.tz! };
      // What the job scheduler computes after each tick, from a clock the test sets.
      const fires = (fromIso: string, n: number) => {
        const out: string[] = [];
        let millis = Date.parse(fromIso);
        for (let i = 0; i < n; i++) {
          millis = defaultRepeatStrategy(millis, repeat)!;
          out.push(new Date(millis).toISOString());
        }
        return out;
      };
      // 8 March 2026: CST (UTC−6) → CDT (UTC−5).
      expect(fires('2026-03-07T00:00:00Z', 3)).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z']);
      // 1 November 2026: CDT → CST.
      expect(fires('2026-10-31T00:00:00Z', 3)).toEqual(['2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z']);
      // The same times as the schedule library says.
      const spec = at(['08:00'], 'America/Chicago');
      expect(fires('2026-03-07T00:00:00Z', 3)).toEqual(nextFireTimes(spec, new Date('2026-03-07T00:00:00Z'), 3).map((d) => d.toISOString()));

      // And the tick BullMQ actually queued is the next 08:00 in Chicago.
      const [next] = (await queue.getDelayed()).filter((j) => j.id!.startsWith('repeat:batch:sched:morning:'));
      const millis = Number(next.id!.split(':').pop());
      expect(millis).toBe(nextFireTimes(spec, new Date(), 1)[0].getTime());
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Chicago', hour: '2-digit', minute: '2-digit', hour12: false }).format(millis);
      expect(local).toBe('08:00');
    });
  });
});
