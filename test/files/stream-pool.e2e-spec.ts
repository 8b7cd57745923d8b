import * as http from 'node:http';
import { Client } from 'pg';
import { startTestServer, type TestServer } from '../support/test-server';
import { CAMPAIGNS_DIR, insertLeads, KEYS } from './lead-files.fixture';

/** An export request whose reader takes the answer's head and then reads nothing more. */
function stalledExport(server: TestServer): Promise<{ status: number; body: string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${server.url}/v1/campaigns/files-test/export`, { headers: server.admin }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, close: () => req.destroy() }));
        return;
      }
      // Take one chunk, then stop reading: PostgreSQL's COPY blocks once the buffers fill.
      res.once('data', () => {
        res.pause();
        resolve({ status: 200, body: '', close: () => req.destroy() });
      });
    });
    req.on('error', reject);
  });
}

/**
 * R11 (docs/quality.md) as behaviour: file streams have a pool of their own, so readers that
 * stall cannot take intake's connections, and a request that finds no free connection within
 * DB_POOL_WAIT_MS is answered 503 instead of hanging (docs/architecture.md, "Database pools").
 */
describe('stream pool: slow readers never starve intake, a pool wait past its limit answers 503', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('stream_pool', { CAMPAIGNS_DIR, DB_POOL_SIZE: '4', DB_STREAM_POOL_SIZE: '2', DB_POOL_WAIT_MS: '500' });
    // Enough rows that an export outlasts every socket buffer between PostgreSQL and the reader.
    await insertLeads(server.databaseUrl, 'files-test', ['download', 'backup'], 60_000, `jsonb_build_object('first_name', 'Reader ' || g, 'email', 'reader' || g || '@example.com', 'notes', repeat('x', 200))`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('holds two stalled exports, answers a third with 503 after the wait, keeps intake answering, and serves exports again once the readers leave', async () => {
    const first = await stalledExport(server);
    const second = await stalledExport(server);
    expect([first.status, second.status]).toEqual([200, 200]);
    try {
      const started = Date.now();
      const third = await stalledExport(server);
      expect(third.status).toBe(503);
      expect(JSON.parse(third.body)).toMatchObject({ error: 'unavailable' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);

      // Intake runs on its own pool: ten leads in a row, each accepted.
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${server.url}/v1/campaigns/files-test/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEYS['files-test'] },
          body: JSON.stringify({ first_name: `Meanwhile ${i}`, email: `meanwhile${i}@example.com` }),
        });
        expect(res.status).toBe(201);
      }
    } finally {
      first.close();
      second.close();
    }
    // The readers went away: their queries end and the connections come back.
    const deadline = Date.now() + 10_000;
    let again = await stalledExport(server);
    while (again.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      again = await stalledExport(server);
    }
    again.close();
    expect(again.status).toBe(200);
  }, 60_000);

  it('answers intake 503 when every connection of the main pool stays busy past the wait, and accepts again after', async () => {
    const post = (i: number) =>
      fetch(`${server.url}/v1/campaigns/files-test/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEYS['files-test'] },
        body: JSON.stringify({ first_name: `Blocked ${i}`, email: `blocked${i}@example.com` }),
      });
    // Another session locks the lead table: every intake statement waits on it, holding its connection.
    const locker = new Client({ connectionString: server.databaseUrl });
    await locker.connect();
    let held: Promise<Response>[] = [];
    try {
      await locker.query('begin');
      await locker.query('lock table lead in access exclusive mode');
      held = Array.from({ length: 4 }, (_, i) => post(i));
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      const res = await post(99);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'unavailable' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    // The lock gone, the waiting leads are stored, and intake accepts again.
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect((await post(100)).status).toBe(201);
  }, 30_000);
});
