import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { sendCommand, type SendFlags } from '../apps/cli/src/send.command';
import { sink } from './support/output-sink';
import { parsePrintedMessage } from './support/printed-message';
import { TestBuyer } from './support/test-buyer';

const ROOT = path.resolve(__dirname, '..');
const CAMPAIGNS = path.join(ROOT, 'test/campaigns-send');
const LEAD = '{"first_name":" Ana ","email":"Ana@Example.COM","zip":"787011234"}';
const SECRETS = {
  SEND_TOKEN: 'tok-7f3a9c',
  SEND_PARTNER: 'partner-51e2',
  SEND_SIGNING_SECRET: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5',
};

/**
 * Stands where the database would be: a loopback server that only counts who connects. `send`
 * must never open the database, so with DATABASE_URL pointing here the count stays 0.
 */
async function startDatabaseStandIn() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/leadrelay`,
    connections: () => connections,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Runs the built CLI. Asynchronously: the buyers it posts to answer from this very process, which
 * a synchronous spawn would keep from answering.
 */
function runCli(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['dist/apps/cli/src/main.js', ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The printed output's `--- name` sections. */
function sections(text: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const part of text.split(/^--- /m).slice(1)) {
    const newline = part.indexOf('\n');
    found[part.slice(0, newline)] = part.slice(newline + 1);
  }
  return found;
}

describe('cli send (docs/campaigns.md › CLI)', () => {
  const testBuyer = new TestBuyer();
  const liveBuyer = new TestBuyer();
  let database: Awaited<ReturnType<typeof startDatabaseStandIn>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    await testBuyer.start();
    await liveBuyer.start();
    database = await startDatabaseStandIn();
    Object.assign(process.env, SECRETS, { SEND_TEST_URL: `${testBuyer.url}/sandbox/leads?src=cli`, SEND_LIVE_URL: `${liveBuyer.url}/leads`, DATABASE_URL: database.url });
  });

  afterEach(() => {
    testBuyer.received.length = 0;
    liveBuyer.received.length = 0;
  });

  afterAll(async () => {
    process.env = saved;
    await testBuyer.stop();
    await liveBuyer.stop();
    await database.stop();
  });

  async function send(delivery: string, lead: string, flags: SendFlags = {}) {
    const out = sink();
    const err = sink();
    const code = await sendCommand(CAMPAIGNS, 'send-test', delivery, lead, flags, out.stream, err.stream);
    return { code, out: out.text(), err: err.text() };
  }

  it('sends the lead to the testUrl and prints exactly what the buyer received, its answer and the outcome; no database is opened', async () => {
    testBuyer.handler = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-buyer', 'sandbox');
      res.end('{"result":"success","price":12.5,"id":"B-77"}');
    };
    const { code, out, err } = await send('buyer', LEAD, { showSecrets: true });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(liveBuyer.received).toHaveLength(0);
    expect(testBuyer.received).toHaveLength(1);
    const [received] = testBuyer.received;

    const printed = sections(out);
    expect(Object.keys(printed)).toEqual(['request to the test endpoint', 'response', 'classification']);
    const request = parsePrintedMessage(printed['request to the test endpoint']);
    const [method, url] = request.firstLine.split(' ');
    expect(method).toBe(received.method);
    expect(url).toBe(`${testBuyer.url}${received.url}`);
    expect(received.url).toBe('/sandbox/leads?src=cli');
    expect(request.body).toBe(received.body);
    // Every printed header arrived as printed; what else arrived is what the connection adds.
    for (const [name, value] of Object.entries(request.headers)) expect([name, received.headers[name]]).toEqual([name, value]);
    expect(Object.keys(received.headers).filter((name) => !(name in request.headers)).sort()).toEqual(['connection', 'content-length', 'host']);
    expect(request.headers).toMatchObject({ authorization: `Bearer ${SECRETS.SEND_TOKEN}`, 'x-partner': SECRETS.SEND_PARTNER, 'content-type': 'application/json' });
    expect(request.headers['webhook-signature']).toMatch(/^v1,/);
    // The lead was normalised like intake does it.
    expect(JSON.parse(received.body)).toMatchObject({ first: 'Ana', email: 'ana@example.com', zip: '78701-1234', lead: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const response = parsePrintedMessage(printed.response);
    expect(response.firstLine).toBe('HTTP 200');
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'x-buyer': 'sandbox' });
    expect(response.body).toBe('{"result":"success","price":12.5,"id":"B-77"}');
    expect(printed.classification).toBe('outcome: delivered\nprice: 12.5\nreference: B-77\n');
    expect(database.connections()).toBe(0);
  });

  it('masks auth headers, the signature and every env() value unless --show-secrets, in the request and in the answer', async () => {
    testBuyer.handler = (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', 'session=abc123');
      // A buyer echoing what it was sent must not leak it either.
      res.end(JSON.stringify({ result: 'failure', reason: `partner ${req.headers['x-partner']} is unknown` }));
    };
    const { code, out } = await send('buyer', LEAD);
    expect(code).toBe(0);
    for (const secret of [...Object.values(SECRETS), testBuyer.url]) expect(out).not.toContain(secret);
    const printed = sections(out);
    const request = parsePrintedMessage(printed['request to the test endpoint']);
    expect(request.firstLine).toBe('POST env(SEND_TEST_URL)');
    expect(request.headers).toMatchObject({ authorization: '[redacted]', 'webhook-signature': '[redacted]', 'x-partner': 'env(SEND_PARTNER)', 'idempotency-key': testBuyer.received[0].headers['idempotency-key'] });
    expect(parsePrintedMessage(printed.response).headers['set-cookie']).toBe('[redacted]');
    expect(printed.classification).toBe('outcome: rejected\nreason: partner env(SEND_PARTNER) is unknown\nprice: 0\n');
    expect(testBuyer.received).toHaveLength(1);
  });

  it('gives each send its own Idempotency-Key, so a test endpoint that drops repeats takes every send', async () => {
    await send('buyer', LEAD);
    await send('buyer', LEAD);
    const [first, second] = testBuyer.received.map((r) => r.headers['idempotency-key']);
    expect(first).not.toBe(second);
  });

  it('refuses a delivery without testUrl unless --live, sending nothing; with --live the real url gets it', async () => {
    const refused = await send('no-test-url', LEAD);
    expect(refused.code).toBe(2);
    expect(refused.err).toBe("Delivery 'no-test-url' has no testUrl, so nothing was sent: give it one, or pass --live to send the lead to its real URL.\n");
    expect(refused.out).toBe('');
    expect(liveBuyer.received).toHaveLength(0);
    expect(testBuyer.received).toHaveLength(0);

    const live = await send('no-test-url', LEAD, { live: true });
    expect(live.code).toBe(0);
    expect(liveBuyer.received).toHaveLength(1);
    expect(liveBuyer.received[0].url).toBe('/leads');
    expect(sections(live.out)['request to the live endpoint (--live)']).toMatch(/^POST env\(SEND_LIVE_URL\)\n/);
    expect(database.connections()).toBe(0);
  });

  it('with --live sends to url even when the delivery has a testUrl', async () => {
    expect((await send('buyer', LEAD, { live: true })).code).toBe(0);
    expect(liveBuyer.received).toHaveLength(1);
    expect(testBuyer.received).toHaveLength(0);
  });

  it('refuses a delivery that sends no request, and a bad lead, sending nothing', async () => {
    const unsupported = await send('download', LEAD);
    expect(unsupported.code).toBe(2);
    expect(unsupported.err).toBe("send is not supported by plugin 'manual-file': delivery 'download' does not send one request per lead in real time.\n");

    const bad = await send('buyer', '{"email":"nope"}');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('lead › first_name: is required');
    expect(bad.err).toContain('lead › email: is not a valid email address');
    expect(bad.out).toBe('');
    expect(testBuyer.received).toHaveLength(0);
    expect(liveBuyer.received).toHaveLength(0);
  });

  it('shows a test endpoint that does not answer as no response, classified, and exits 1', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env.SEND_TEST_URL = `http://127.0.0.1:${port}/leads`;
    try {
      const { code, out } = await send('buyer', LEAD);
      expect(code).toBe(1);
      const printed = sections(out);
      expect(Object.keys(printed)).toEqual(['request to the test endpoint', 'no response', 'classification']);
      expect(printed['no response']).toMatch(/^refused: /);
      expect(printed.classification).toMatch(/^outcome: retry\n/);
    } finally {
      process.env.SEND_TEST_URL = `${testBuyer.url}/sandbox/leads?src=cli`;
    }
  });

  it('the built CLI reads the lead from stdin and the flags from the command line, without a database', async () => {
    testBuyer.handler = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"result":"success"}');
    };
    const env = { PATH: process.env.PATH, CAMPAIGNS_DIR: CAMPAIGNS, DATABASE_URL: database.url, ...SECRETS, SEND_TEST_URL: process.env.SEND_TEST_URL, SEND_LIVE_URL: process.env.SEND_LIVE_URL };
    const run = (args: string[], input?: string) => runCli(args, env, input);

    const sent = await run(['send', 'send-test', 'buyer', '-', '--show-secrets'], LEAD);
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    expect(sent.stdout).toContain(`authorization: Bearer ${SECRETS.SEND_TOKEN}`);
    expect(sent.stdout).toContain('outcome: delivered');
    expect(testBuyer.received).toHaveLength(1);
    expect(JSON.parse(testBuyer.received[0].body)).toMatchObject({ first: 'Ana' });

    const unknownFlag = await run(['send', 'send-test', 'buyer', '-', '--dry-run'], LEAD);
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toContain("Unknown option '--dry-run'");
    const refused = await run(['send', 'send-test', 'no-test-url', LEAD]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('pass --live');
    expect(testBuyer.received).toHaveLength(1);
    expect(liveBuyer.received).toHaveLength(0);
    expect(database.connections()).toBe(0);
  });

  it('the built CLI classifies a raw body file given --status and --content-type', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-classify-'));
    const file = path.join(dir, 'answer.json');
    fs.writeFileSync(file, '{"result":"failure","reason":"Out of area"}');
    const env = { PATH: process.env.PATH, CAMPAIGNS_DIR: CAMPAIGNS, ...SECRETS, SEND_TEST_URL: 'http://127.0.0.1:9/t', SEND_LIVE_URL: 'http://127.0.0.1:9/l' };
    const run = (args: string[]) => runCli(['classify', 'send-test', 'buyer', ...args], env);
    try {
      const read = await run([file, '--status', '200', '--content-type', 'application/json']);
      expect(read.stderr).toBe('');
      expect(JSON.parse(read.stdout)).toEqual({ outcome: 'rejected', reason: 'Out of area', price: 0 });
      expect(JSON.parse((await run([file, '--status', '503'])).stdout)).toMatchObject({ outcome: 'retry' });
      const missing = await run([path.join(dir, 'nope.json'), '--status', '200']);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('no such body file');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
