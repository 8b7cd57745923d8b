import { TestBuyer, type ReceivedRequest } from '../support/test-buyer';
import { startTestServer, type TestServer } from '../support/test-server';
import { settled, submit } from '../delivery/delivery.fixtures';

describe('http-post without classify: only a 2xx is delivered (docs/campaigns.md › Classifiers)', () => {
  const buyer = new TestBuyer();
  let server: TestServer;
  let serial = 0;
  const lead = (scenario: string) => ({ scenario, email: `${scenario}-${++serial}@example.com` });
  const tries = (req: ReceivedRequest) => buyer.received.filter((r) => r.headers['idempotency-key'] === req.headers['idempotency-key']).length;

  beforeAll(async () => {
    buyer.handler = (req, res) => {
      if (req.url !== '/leads') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK, but nobody should post here');
      switch (new URLSearchParams(req.body).get('scenario')) {
        case 'accept':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        case 'gone':
          return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        case 'expired':
          return void res.writeHead(401, { 'content-type': 'application/json' }).end('{\n  "error": "Invalid API key"\n}\n');
        case 'moved':
          return void res.writeHead(301, { location: `${buyer.url}/v2/leads` }).end();
        case 'busy-once':
          if (tries(req) === 1) return void res.writeHead(503, { 'retry-after': '1' }).end('busy');
          return void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
        default:
          return void res.writeHead(500).end('unknown scenario');
      }
    };
    const buyerUrl = await buyer.start();
    server = await startTestServer('http_post_default', {
      CAMPAIGNS_DIR: 'test/http-post-default/campaigns',
      DEFAULT_CLASSIFICATION_URL: `${buyerUrl}/leads`,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await buyer.stop();
  });

  it('delivers a lead the buyer answers 200', async () => {
    const accepted = await submit(server, 'default-classification', lead('accept'), 10_000);
    expect(accepted.dispatches[0]).toMatchObject({ status: 'delivered' });
    const found = await settled(server, accepted.id);
    expect(found.dispatches[0]).toMatchObject({ status: 'delivered', reason: null, attemptCount: 1 });
    expect(found.dispatches[0].attempts[0]).toMatchObject({ outcome: 'delivered', response: { status: 200 } });
  });

  it('does not deliver a 404, a 401 or a 301: each is rejected after one attempt, with its reason in the intake answer and the dispatch', async () => {
    const cases: [string, number, string][] = [
      ['gone', 404, 'HTTP 404: Not Found'],
      ['expired', 401, 'HTTP 401: { "error": "Invalid API key" }'],
      ['moved', 301, `HTTP 301 redirect to ${buyer.url}/v2/leads (redirects are not followed)`],
    ];
    const answers = await Promise.all(cases.map(([scenario]) => submit(server, 'default-classification', lead(scenario), 10_000)));
    for (const [i, [scenario, status, reason]] of cases.entries()) {
      expect({ scenario, ...answers[i].dispatches[0] }).toMatchObject({ scenario, status: 'rejected', reason });
      const found = await settled(server, answers[i].id);
      expect({ scenario, ...found.dispatches[0] }).toMatchObject({ scenario, status: 'rejected', reason, attemptCount: 1 });
      expect(found.dispatches[0].attempts).toHaveLength(1);
      expect(found.dispatches[0].attempts[0]).toMatchObject({ outcome: 'rejected', reason, response: { status } });
    }
    // Not followed: the new address never heard of the lead.
    expect(buyer.received.filter((r) => r.url !== '/leads')).toHaveLength(0);
  });

  it('retries a 503 after its Retry-After, then delivers', async () => {
    const accepted = await submit(server, 'default-classification', lead('busy-once'));
    const found = await settled(server, accepted.id);
    expect(found.dispatches[0]).toMatchObject({ status: 'delivered', attemptCount: 2 });
    const [first, second] = found.dispatches[0].attempts;
    expect(first).toMatchObject({ outcome: 'retry', reason: 'HTTP 503 Service Unavailable', response: { status: 503 } });
    expect(second).toMatchObject({ outcome: 'delivered', response: { status: 200 } });
    expect(Date.parse(second.at) - Date.parse(first.at)).toBeGreaterThanOrEqual(1_000);
  });
});
