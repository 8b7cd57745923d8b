import { Controller, Get, Inject, Logger as NestLogger, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { startServer } from '../apps/server/src/bootstrap';
import * as path from 'node:path';
import { freshPage, launchChromium, SHOTS } from './support/console-browser';
import { parsePrometheusText } from './support/prometheus-text';
import { TestBuyer } from './support/test-buyer';
import { dropDatabase, eventually, sql, startTestServer, testEnv, type TestServer } from './support/test-server';

const OPERATOR = 'ops-token-5d0c7e21';
const VIEWER = 'viewer-token-a8e3f442';

/** A server's JSON log lines, as written (createLogger's `destination`). */
function logLines() {
  const lines: Record<string, any>[] = [];
  const raw: string[] = [];
  const write = (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line));
    }
  };
  return { lines, raw, destination: { write } };
}

/** A route that logs the way our services do: the injected pino logger, a child of it, and Nest's Logger, across an await. */
@Controller('probe')
class LoggingProbeController {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  @Get('log')
  async log(): Promise<{ ok: true }> {
    this.logger.info('probe: injected logger');
    await new Promise((r) => setTimeout(r, 20));
    this.logger.child({ part: 'child' }).info('probe: child logger');
    new NestLogger('Probe').warn('probe: Nest logger');
    return { ok: true };
  }
}

@Module({ controllers: [LoggingProbeController] })
class LoggingProbeModule {}

/**
 * Issue 13 items 6 and 7 (docs/api.md › Operations, › Queue dashboard; docs/architecture.md › Logs):
 * bull-board behind the admin tokens, /metrics read by an independent Prometheus text parser,
 * one request id on every line written while serving a request, start-up and shutdown lines.
 */
describe('operations: queue dashboard, metrics, logs', () => {
  let server: TestServer;
  const buyer = new TestBuyer();
  const log = logLines();
  const basic = (user: string, token: string) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  const board = (path: string, init: RequestInit = {}) => fetch(`${server.url}/admin/queues${path}`, init);
  const paused = async (): Promise<boolean> => {
    const body = await (await board('/api/queues', { headers: { authorization: `Bearer ${VIEWER}` } })).json();
    return body.queues.find((q: { name: string }) => q.name === 'dispatch').isPaused;
  };

  beforeAll(async () => {
    await buyer.start();
    server = await startTestServer(
      'operations',
      { LOG_LEVEL: 'debug', TEST_BUYER_URL: buyer.url, ADMIN_TOKENS: `ops:${OPERATOR},watch:${VIEWER}:viewer` },
      { plugins: [LoggingProbeModule], logDestination: log.destination },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await buyer.stop();
  });

  describe('/admin/queues', () => {
    it('answers 401 without a token or with a wrong one, asking a browser for Basic credentials', async () => {
      for (const authorization of [undefined, 'Bearer not-a-token', basic('ops', 'not-a-token'), 'Bearer ']) {
        for (const path of ['', '/api/queues']) {
          const res = await board(path, { headers: authorization ? { authorization } : {} });
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toBe('Basic realm="leadrelay queues", charset="UTF-8"');
          expect(await res.json()).toMatchObject({ error: 'unauthorized' });
        }
      }
    });

    it('shows every queue the host uses to an admin token, Bearer or Basic', async () => {
      for (const authorization of [`Bearer ${OPERATOR}`, `Bearer ${VIEWER}`, basic('anyone', VIEWER)]) {
        const api = await board('/api/queues', { headers: { authorization } });
        expect(api.status).toBe(200);
        const { queues } = await api.json();
        expect(queues.map((q: { name: string }) => q.name).sort()).toEqual(['dispatch', 'schedule']);
        const page = await board('', { headers: { authorization } });
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        const html = await page.text();
        expect(html).toContain('leadrelay queues');
        expect(html).toContain('/admin/queues/');
      }
    });

    it('refuses a viewer every change (403) and lets an operator pause and resume a queue', async () => {
      const viewer = { authorization: `Bearer ${VIEWER}` };
      for (const [method, path] of [['PUT', '/api/queues/dispatch/pause'], ['PUT', '/api/queues/dispatch/retry/failed'], ['POST', '/api/queues/dispatch/add']]) {
        const res = await board(path, { method, headers: { ...viewer, 'content-type': 'application/json' }, body: '{"name":"x","data":{}}' });
        expect(res.status).toBe(403);
        expect((await res.json()).message).toContain("The token 'watch' is a viewer");
      }
      expect(await paused()).toBe(false);
      const operator = { authorization: `Bearer ${OPERATOR}` };
      expect((await board('/api/queues/dispatch/pause', { method: 'PUT', headers: operator })).status).toBe(200);
      expect(await paused()).toBe(true);
      expect((await board('/api/queues/dispatch/resume', { method: 'PUT', headers: operator })).status).toBe(200);
      expect(await paused()).toBe(false);
    });

    it('renders in Chromium for a browser that answers the Basic prompt with a token, listing both queues', async () => {
      const browser = await launchChromium();
      try {
        const { page } = await freshPage(browser, server.url, { httpCredentials: { username: 'watch', password: VIEWER } });
        const seen: string[] = [];
        page.on('request', (r) => seen.push(new URL(r.url()).origin));
        const failed: string[] = [];
        page.on('requestfailed', (r) => failed.push(`${new URL(r.url()).origin} ${r.failure()?.errorText}`));
        const res = await page.goto('/admin/queues');
        expect(res?.status()).toBe(200);
        await page.getByText('dispatch', { exact: true }).first().waitFor();
        await page.getByText('schedule', { exact: true }).first().waitFor();
        await page.screenshot({ path: path.join(SHOTS, 'queue-dashboard.png') });
        // bull-board's page links Google Fonts; the dashboard's policy keeps the browser from fetching them.
        // bull-board's page links Google Fonts: the dashboard's policy keeps the browser from fetching them.
        expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
        // Chromium lists a request the policy stopped, with the reason 'csp': every other origin's is one.
        const elsewhere = [...new Set(seen)].filter((origin) => origin !== server.url);
        expect(failed.filter((f) => !f.startsWith(server.url))).toEqual(elsewhere.map((origin) => `${origin} csp`));
      } finally {
        await browser.close();
      }
    });

    it('refuses a change carried by Basic credentials from another site, which a browser would send by itself', async () => {
      const headers = { authorization: basic('ops', OPERATOR), origin: 'http://elsewhere.example' };
      const res = await board('/api/queues/dispatch/pause', { method: 'PUT', headers });
      expect(res.status).toBe(403);
      expect((await res.json()).message).toContain('http://elsewhere.example');
      expect(await paused()).toBe(false);
    });
  });

  describe('/metrics', () => {
    it('parses as Prometheus text and carries the documented series with HELP and TYPE, and the process defaults', async () => {
      const lead = await (
        await fetch(`${server.url}/v1/campaigns/realtime-test/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'rt-key' },
          body: JSON.stringify({ first_name: 'Ida', email: 'ida@example.com' }),
        })
      ).json();
      await eventually(async () => (await sql(server.databaseUrl, `select 1 from attempt a join dispatch d on d.id = a.dispatch_id where d.lead_id = $1 and a.outcome = 'delivered'`, [lead.id])).length, 20_000, 'the attempt');
      const res = await fetch(`${server.url}/metrics`);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const families = parsePrometheusText(await res.text());
      const family = (name: string, type: string) => {
        const f = families.get(name);
        expect(f).toBeDefined();
        expect(f!.type).toBe(type);
        expect(f!.help).toBeTruthy();
        return f!;
      };
      const value = (name: string, labels: Record<string, string>) => families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
      family('leadrelay_leads_accepted_total', 'counter');
      expect(value('leadrelay_leads_accepted_total', { campaign: 'realtime-test' })).toBe(1);
      family('leadrelay_attempts_total', 'counter');
      expect(value('leadrelay_attempts_total', { campaign: 'realtime-test', delivery: 'buyer', outcome: 'delivered' })).toBe(1);
      const duration = family('leadrelay_attempt_duration_ms', 'histogram');
      expect(duration.samples.find((s) => s.name === 'leadrelay_attempt_duration_ms_count' && s.labels.delivery === 'buyer')?.value).toBe(1);
      family('leadrelay_dispatches_skipped_total', 'counter');
      family('leadrelay_sends_held_total', 'counter');
      family('leadrelay_queue_depth', 'gauge');
      expect(value('leadrelay_queue_depth', { queue: 'dispatch' })).toBe(0);
      family('process_cpu_user_seconds_total', 'counter');
      family('process_resident_memory_bytes', 'gauge');
      family('nodejs_heap_size_used_bytes', 'gauge');
      family('nodejs_eventloop_lag_seconds', 'gauge');
      expect(value('process_cpu_user_seconds_total', {})).toBeGreaterThan(0);
    });

    it('the parser refuses what breaks the format', () => {
      expect(() => parsePrometheusText('a 1\n')).not.toThrow();
      for (const bad of ['a 1', 'a{b="c} 1\n', '1a 2\n', 'a x\n', '# TYPE a counter\n# TYPE a counter\na 1\n', 'a 1\nb 1\na{x="y"} 2\n', 'a 1\na 2\n', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n']) {
        expect(() => parsePrometheusText(bad)).toThrow();
      }
    });
  });

  describe('request ids', () => {
    it('puts one request id on every line written while serving a request, and answers it in X-Request-Id', async () => {
      const before = log.lines.length;
      const res = await fetch(`${server.url}/probe/log`, { headers: { 'x-request-id': 'trace-0f4c.77' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('trace-0f4c.77');
      const lines = await eventually(async () => {
        const mine = log.lines.slice(before);
        return mine.some((l) => l.msg === 'request completed') ? mine : undefined;
      });
      const probe = lines!.filter((l) => String(l.msg).startsWith('probe:') || l.msg === 'request completed');
      expect(probe.map((l) => l.msg).sort()).toEqual(['probe: Nest logger', 'probe: child logger', 'probe: injected logger', 'request completed']);
      expect(probe.map((l) => [l.msg, l.reqId])).toEqual(probe.map((l) => [l.msg, 'trace-0f4c.77']));
      // Written once per line, never twice (a second key would be hidden by JSON.parse).
      const written = log.raw.slice(before).filter((l) => l.includes('"msg":"probe:') || l.includes('"msg":"request completed"'));
      expect(written.map((l) => l.split('"reqId"').length - 1)).toEqual(written.map(() => 1));
      const completed = probe.find((l) => l.msg === 'request completed')!;
      expect(completed).toMatchObject({ level: 20, res: { statusCode: 200 }, req: { method: 'GET', url: '/probe/log' } });
    });

    it('at info too (no request logger made), every line written while serving a request carries its id', async () => {
      const quiet = logLines();
      const info = await startTestServer('operations_info', { LOG_LEVEL: 'info' }, { plugins: [LoggingProbeModule], logDestination: quiet.destination });
      try {
        const before = quiet.lines.length;
        const [a, b] = await Promise.all(['info-req-a', 'info-req-b'].map((id) => fetch(`${info.url}/probe/log`, { headers: { 'x-request-id': id } })));
        expect([a.headers.get('x-request-id'), b.headers.get('x-request-id')]).toEqual(['info-req-a', 'info-req-b']);
        const probe = quiet.lines.slice(before).filter((l) => String(l.msg).startsWith('probe:'));
        // Two requests served at once: each line carries its own request's id, never the other's.
        expect(probe.map((l) => `${l.reqId} ${l.msg}`).sort()).toEqual(
          ['info-req-a', 'info-req-b'].flatMap((id) => [`${id} probe: Nest logger`, `${id} probe: child logger`, `${id} probe: injected logger`]).sort(),
        );
        expect(quiet.lines.slice(before).some((l) => l.msg === 'request completed')).toBe(false);
      } finally {
        await info.stop();
      }
    });

    it('makes up a UUID when the caller sends none or an unusable one, and lines outside a request carry none', async () => {
      for (const given of [undefined, 'has spaces in it', 'x'.repeat(200)]) {
        const res = await fetch(`${server.url}/health`, { headers: given ? { 'x-request-id': given } : {} });
        expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
      const up = log.lines.find((l) => l.msg === 'leadrelay is up')!;
      expect(up).toBeDefined();
      expect(up.reqId).toBeUndefined();
    });

    it('answers an intake request with its id; at info there is no line per lead', async () => {
      const res = await fetch(`${server.url}/v1/campaigns/realtime-test/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'rt-key', 'x-request-id': 'lead-req-1' },
        body: JSON.stringify({ first_name: 'Jo', email: 'jo@example.com' }),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-request-id')).toBe('lead-req-1');
      const mine = await eventually(async () => {
        const lines = log.lines.filter((l) => l.reqId === 'lead-req-1');
        return lines.length ? lines : undefined;
      });
      expect(mine!.every((l) => l.level < 30)).toBe(true);
    });
  });

  describe('start-up and shutdown', () => {
    it('says it created the database and applied the migrations, then on a second start that it is up to date; and what stopping did', async () => {
      const env = testEnv('operations_start', { LOG_LEVEL: 'info' });
      const database = new URL(env.DATABASE_URL!).pathname.slice(1);
      try {
        const first = logLines();
        const a = await startServer(env, { logDestination: first.destination });
        const said = (lines: Record<string, any>[]) => lines.map((l) => l.msg as string);
        expect(said(first.lines)).toContain(`database ${database} created`);
        const migrations = first.lines.find((l) => String(l.msg).startsWith('migrations applied: '))!;
        expect(migrations.migrations).toContain('Migration20261126000000_initial');
        expect(migrations.msg).toBe(`migrations applied: ${migrations.migrations.length} (${migrations.migrations.join(', ')})`);
        expect(said(first.lines)).toContain('campaigns loaded: 3 (intake-test, other, realtime-test)');
        expect(said(first.lines)).toContain('queue workers started: dispatch, schedule');
        expect(first.lines.find((l) => l.msg === 'leadrelay is up')).toMatchObject({ url: a.url, role: 'all', queueDashboard: `${a.url}/admin/queues` });
        const running = first.lines.length;
        await a.app.close();
        // The two workers drain together, in either order, between the first and the last word.
        const stopping = said(first.lines.slice(running)).filter((m) => ['shutting down', 'dispatch worker drained', 'schedule worker drained', 'stopped'].includes(m));
        expect(stopping[0]).toBe('shutting down');
        expect(stopping.slice(1, 3).sort()).toEqual(['dispatch worker drained', 'schedule worker drained']);
        expect(stopping.slice(3)).toEqual(['stopped']);

        const second = logLines();
        const b = await startServer(env, { logDestination: second.destination });
        expect(said(second.lines)).toContain('database up to date');
        expect(said(second.lines).some((m) => m.startsWith('database ') && m.endsWith(' created'))).toBe(false);
        expect(said(second.lines).some((m) => m.startsWith('migrations applied'))).toBe(false);
        await b.app.close();
        expect(said(second.lines).at(-1)).toBe('stopped');
      } finally {
        await dropDatabase(env.DATABASE_URL!);
      }
    });
  });
});
