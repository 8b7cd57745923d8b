import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DOMParser } from '@xmldom/xmldom';
import { PluginConfigError, type CampaignInfo, type DeliveryResult, type LeadRecord, type PluginTools } from '@leadrelay/sdk/plugin';
import { isDeliveryPlugin } from '@leadrelay/sdk/internal';
import { basic, bearer, field, json, leadconduit, rules, text, xml } from '@leadrelay/sdk';
import { HandlebarsTemplateEngine } from '@leadrelay/templating';
import { UndiciHttpClient } from '@leadrelay/http-client';
import { httpPostPlugin, HTTP_POST_PLUGIN, HttpPostPluginModule } from '.';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: Received, res: ServerResponse, socket: Socket) => void;

/** A buyer: a real HTTP server on 127.0.0.1 that records what it received and answers with `handler`. */
async function startBuyer(handler: Handler) {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      handler(entry, res, req.socket);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/leads`;
}

const NOW = new Date('2024-05-01T12:00:00Z');
const http = new UndiciHttpClient();
const tools: PluginTools = {
  http,
  templates: new HandlebarsTemplateEngine({ now: () => NOW }),
  mail: { send: () => Promise.reject(new Error('no mail in these tests')) },
  clock: { now: () => NOW },
  logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
};

const campaign: CampaignInfo = {
  id: 'solar-tx',
  name: 'Solar leads — Texas',
  fields: [field.text('first_name', { required: true }), field.text('last_name'), field.email('email'), field.phone('phone'), field.postalCode('zip'), field.state('state')],
};

const lead = (data: LeadRecord['data'] = {}): LeadRecord => ({
  id: 'lead-1',
  campaignId: 'solar-tx',
  receivedAt: new Date('2024-05-01T11:59:00Z'),
  data: { first_name: 'Ann', last_name: 'Example', email: 'ann@example.com', phone: '5125550100', zip: '78701', state: 'TX', ...data },
});

/** Options as the host hands them over: parsed by the schema (defaults applied), env() already resolved. */
async function deliver(raw: Record<string, unknown>, options: { lead?: LeadRecord; dispatchId?: string; attempt?: number } = {}): Promise<DeliveryResult> {
  const parsed = httpPostPlugin.optionsSchema.parse(raw);
  const prepared = httpPostPlugin.prepare!(parsed, campaign, tools);
  return httpPostPlugin.deliver!(
    { dispatchId: options.dispatchId ?? 'dispatch-1', deliveryId: 'acme-crm', attempt: options.attempt ?? 1, lead: options.lead ?? lead(), campaign, options: parsed, prepared },
    tools,
  );
}

function prepareError(raw: Record<string, unknown>): PluginConfigError {
  try {
    httpPostPlugin.prepare!(httpPostPlugin.optionsSchema.parse(raw), campaign, tools);
  } catch (error) {
    expect(error).toBeInstanceOf(PluginConfigError);
    return error as PluginConfigError;
  }
  throw new Error('prepare accepted the options');
}

const buyers: { close(): Promise<void> }[] = [];
async function buyer(handler: Handler) {
  const b = await startBuyer(handler);
  buyers.push(b);
  return b;
}
const answer = (status: number, contentType: string, body: string, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'Content-Type': contentType, ...headers });
  res.end(body);
};

afterEach(async () => {
  await Promise.all(buyers.splice(0).map((b) => b.close()));
});
afterAll(() => http.close());

describe('http-post plugin — the request', () => {
  it('posts the fields form-encoded under the mapped names, with the Idempotency-Key', async () => {
    const b = await buyer(answer(200, 'text/plain', 'OK'));
    const result = await deliver({ url: `${b.url}/leads`, fields: ['first_name', 'zip', 'phone'], mapping: { first_name: 'FName', zip: 'PostalCode' }, headers: { 'X-Vendor': 'leadrelay' } });
    expect(result.outcome).toBe('delivered');
    const [req] = b.received;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/leads');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ FName: 'Ann', PostalCode: '78701', phone: '5125550100' });
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['idempotency-key']).toBe('dispatch-1');
    expect(req.headers['x-vendor']).toBe('leadrelay');
    expect(result.request).toMatchObject({ method: 'POST', url: `${b.url}/leads`, body: req.body });
    expect(result.request!.headers['idempotency-key']).toBe('dispatch-1');
    expect(result.response).toMatchObject({ status: 200, body: 'OK', truncated: false });
  });

  it('sends every campaign field by default and leaves out those without a value', async () => {
    const b = await buyer(answer(200, 'text/plain', 'OK'));
    await deliver({ url: b.url }, { lead: lead({ phone: null, state: null }) });
    expect([...new URLSearchParams(b.received[0].body).keys()]).toEqual(['first_name', 'last_name', 'email', 'zip']);
  });

  it('sends the same Idempotency-Key on every attempt of a dispatch', async () => {
    const b = await buyer(answer(503, 'text/plain', 'busy'));
    const first = await deliver({ url: b.url }, { dispatchId: 'dispatch-42', attempt: 1 });
    const second = await deliver({ url: b.url }, { dispatchId: 'dispatch-42', attempt: 2 });
    expect([first.outcome, second.outcome]).toEqual(['retry', 'retry']);
    expect(b.received.map((r) => r.headers['idempotency-key'])).toEqual(['dispatch-42', 'dispatch-42']);
  });

  it('sends basic and bearer authorization', async () => {
    const b = await buyer(answer(200, 'text/plain', 'OK'));
    await deliver({ url: b.url, auth: basic('acme', 'p@ss:word') });
    await deliver({ url: b.url, auth: bearer('tok-123') });
    expect(b.received[0].headers.authorization).toBe(`Basic ${Buffer.from('acme:p@ss:word').toString('base64')}`);
    expect(b.received[1].headers.authorization).toBe('Bearer tok-123');
  });

  it('delivers JSON whose nasty values the buyer parses back exactly', async () => {
    const nasty = { first_name: 'Ann "The Hammer"\\ \n\r\t</x> \u0001\u001f 😀 \u2028', last_name: '{{x}} }}}', email: null };
    const b = await buyer(answer(200, 'application/json', '{"result":"success"}'));
    const result = await deliver(
      {
        url: b.url,
        body: json('{"name": {{json first_name}}, "last": "{{last_name}}", "email": {{json email}}, "lead": "{{lead_id}}", "at": "{{date received_at "YYYY-MM-DD"}}", "zip": {{json zip}}}'),
        classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result' }),
      },
      { lead: lead(nasty) },
    );
    expect(result.outcome).toBe('delivered');
    expect(b.received[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(b.received[0].body)).toEqual({ name: nasty.first_name, last: nasty.last_name, email: null, lead: 'lead-1', at: '2024-05-01', zip: '78701' });
  });

  it('delivers XML whose nasty values the buyer parses back exactly', async () => {
    const value = 'Ann & <Bob> "quoted" \'single\' </lead> ]]> 😀\nline';
    const b = await buyer(answer(200, 'text/xml', '<ok/>'));
    await deliver({ url: b.url, body: xml('<?xml version="1.0"?><lead><name>{{first_name}}</name><zip code="{{zip}}"/></lead>') }, { lead: lead({ first_name: value, zip: value }) });
    expect(b.received[0].headers['content-type']).toBe('application/xml');
    const doc = new DOMParser().parseFromString(b.received[0].body, 'text/xml');
    expect(doc.getElementsByTagName('name')[0].textContent).toBe(value);
    expect(doc.getElementsByTagName('zip')[0].getAttribute('code')).toBe(value);
  });

  it('sends a text template with its content type', async () => {
    const b = await buyer(answer(200, 'text/plain', 'OK'));
    await deliver({ url: b.url, method: 'PUT', body: text('name={{first_name}};zip={{zip}}', 'text/x-lead') });
    expect(b.received[0]).toMatchObject({ method: 'PUT', body: 'name=Ann;zip=78701' });
    expect(b.received[0].headers['content-type']).toBe('text/x-lead');
  });

  it('GET sends the fields as the query string after the templated query values, percent-encoded', async () => {
    const b = await buyer(answer(200, 'text/plain', 'OK'));
    const result = await deliver(
      { url: `${b.url}/in?src={{campaign}}&who={{default first_name "a&b=c"}}&k=fixed value&sig=ab%2Fc==`, method: 'GET', fields: ['first_name', 'zip'] },
      { lead: lead({ first_name: 'A&B=C ü 😀' }) },
    );
    const sent = new URL(b.received[0].url, b.url);
    expect(b.received[0].method).toBe('GET');
    expect(b.received[0].body).toBe('');
    expect([...sent.searchParams]).toEqual([
      ['src', 'solar-tx'],
      ['who', 'A&B=C ü 😀'],
      ['k', 'fixed value'],
      ['sig', 'ab/c=='],
      ['first_name', 'A&B=C ü 😀'],
      ['zip', '78701'],
    ]);
    expect(result.request!.body).toBeUndefined();
  });

  it('signs requests Standard Webhooks style', async () => {
    const key = Buffer.from('a secret key of some length');
    const b = await buyer(answer(200, 'text/plain', 'OK'));
    await deliver({ url: b.url, signing: { secret: `whsec_${key.toString('base64')}` } }, { dispatchId: 'dispatch-7' });
    const { headers, body } = b.received[0];
    expect(headers['webhook-id']).toBe('dispatch-7');
    expect(headers['webhook-timestamp']).toBe(String(NOW.getTime() / 1000));
    const expected = createHmac('sha256', key).update(`dispatch-7.${headers['webhook-timestamp']}.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('refuses to send a body its template rendered invalid, as a configuration error', async () => {
    const b = await buyer(answer(200, 'text/plain', 'OK'));
    const result = await deliver({ url: b.url, body: json('{\n  "name": "{{{first_name}}}"\n}') }, { lead: lead({ first_name: 'say "hi"' }) });
    expect(result).toMatchObject({ outcome: 'rejected', configError: true });
    expect(result.reason).toMatch(/template 'body \(json\)' rendered invalid JSON at line 2, column \d+/);
    expect(result.request!.body).toContain('say "hi"');
    expect(b.received).toHaveLength(0);
  });
});

describe('http-post plugin — the response', () => {
  it('rejects with the reason read from JSON, XML, HTML and text bodies', async () => {
    const cases: [string, string, Record<string, string>][] = [
      ['application/json', '{"result":"failure","error":"Duplicate lead"}', { outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'error' }],
      ['application/xml', '<response><result>failure</result><reason>Duplicate lead</reason></response>', { outcome_search_term: 'success', outcome_search_path: '/response/result', reason_path: '/response/reason/text()' }],
      ['text/html', '<html><body><p class="status">failure</p><p id="why" data-reason="Duplicate lead">No</p></body></html>', { outcome_search_term: 'success', outcome_search_path: 'p.status', reason_path: '#why @data-reason' }],
      ['text/plain', 'FAILURE: Duplicate lead', { outcome_search_term: 'success', reason_path: 'FAILURE: (.*)' }],
    ];
    for (const [contentType, body, settings] of cases) {
      const b = await buyer(answer(200, contentType, body));
      const result = await deliver({ url: b.url, classify: leadconduit(settings) });
      expect({ contentType, outcome: result.outcome, reason: result.reason }).toEqual({ contentType, outcome: 'rejected', reason: 'Duplicate lead' });
    }
  });

  it('accepts with price and reference', async () => {
    const b = await buyer(answer(200, 'application/json', '{"status":"accepted","price":"12.50","lead_id":"B-1"}'));
    const result = await deliver({ url: b.url, classify: leadconduit({ outcome_search_term: 'accepted', outcome_search_path: 'status', price_path: 'price', reference_path: 'lead_id' }) });
    expect(result).toMatchObject({ outcome: 'delivered', price: 12.5, reference: 'B-1' });
  });

  it('retries a 5xx', async () => {
    const b = await buyer(answer(500, 'text/plain', 'oops'));
    expect(await deliver({ url: b.url })).toMatchObject({ outcome: 'retry', reason: 'HTTP 500 Internal Server Error', response: { status: 500, body: 'oops' } });
    expect(await deliver({ url: b.url, classify: leadconduit() })).toMatchObject({ outcome: 'retry', reason: 'Server error' });
  });

  it('retries a 429 and passes on Retry-After, in seconds or as a date', async () => {
    const seconds = await buyer(answer(429, 'text/plain', 'slow down', { 'Retry-After': '120' }));
    expect(await deliver({ url: seconds.url })).toMatchObject({ outcome: 'retry', retryAfterMs: 120_000 });
    const date = await buyer(answer(429, 'text/plain', 'slow down', { 'Retry-After': new Date(NOW.getTime() + 90_000).toUTCString() }));
    expect(await deliver({ url: date.url })).toMatchObject({ outcome: 'retry', retryAfterMs: 90_000 });
    const ruled = await buyer(answer(429, 'text/plain', '', { 'Retry-After': '5' }));
    const result = await deliver({ url: ruled.url, classify: rules([{ status: 429, outcome: 'retry', reason: 'throttled' }], { default: 'delivered' }) });
    expect(result).toMatchObject({ outcome: 'retry', reason: 'throttled', retryAfterMs: 5_000 });
  });

  it('retries a time-out (the buyer never answers)', async () => {
    const b = await buyer(() => undefined);
    const result = await deliver({ url: b.url, timeoutMs: 200 });
    expect(result).toMatchObject({ outcome: 'retry', reason: 'Timed out' });
    expect(result.error).toMatch(/^timeout: /);
    expect(result.response).toBeUndefined();
    expect(result.request!.headers['idempotency-key']).toBe('dispatch-1');
  });

  it('retries a refused connection', async () => {
    const result = await deliver({ url: await closedPort() });
    expect(result).toMatchObject({ outcome: 'retry', reason: 'Connection refused' });
    expect(result.error).toMatch(/^refused: /);
  });

  it('retries a connection the buyer resets', async () => {
    const b = await buyer((_req, _res, socket) => socket.destroy());
    const result = await deliver({ url: b.url });
    expect(result).toMatchObject({ outcome: 'retry', reason: 'Connection reset' });
    expect(result.error).toMatch(/^reset: /);
  });

  it('lets a rule decide about a transport error', async () => {
    const result = await deliver({ url: await closedPort(), classify: rules([{ error: 'refused', outcome: 'rejected', reason: 'buyer gone' }]) });
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'buyer gone' });
  });

  it('reads a garbage body sent as JSON as text', async () => {
    const b = await buyer(answer(200, 'application/json; charset=utf-8', '<<garbage>> status=accepted {'));
    const result = await deliver({ url: b.url, classify: leadconduit({ outcome_search_term: 'accepted', outcome_search_path: 'status', reason_path: 'status=(\\w+)' }) });
    expect(result).toMatchObject({ outcome: 'delivered', reason: 'accepted', response: { body: '<<garbage>> status=accepted {' } });
  });

  it('cuts a 10 MB body at maxResponseBytes and says so', async () => {
    const b = await buyer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const chunk = Buffer.alloc(256 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 10 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const result = await deliver({ url: b.url, maxResponseBytes: 65_536 });
    expect(result.outcome).toBe('delivered');
    expect(result.response!.truncated).toBe(true);
    expect(result.response!.body.length).toBe(65_536);
  });

  it('does not follow a redirect unless asked, and classifies the 3xx itself', async () => {
    const b = await buyer((req, res) => {
      if (req.url === '/old') res.writeHead(302, { Location: '/new', 'Content-Type': 'text/plain' }).end('moved');
      else res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`accepted via ${req.method}`);
    });
    const classifyByStatus = rules([{ status: [200, 299], outcome: 'delivered' }, { status: [300, 399], outcome: 'rejected', reason: { header: 'location' } }]);
    const unfollowed = await deliver({ url: `${b.url}/old`, classify: classifyByStatus });
    expect(unfollowed).toMatchObject({ outcome: 'rejected', reason: '/new', response: { status: 302, body: 'moved' } });
    const followed = await deliver({ url: `${b.url}/old`, classify: classifyByStatus, followRedirects: true });
    expect(followed).toMatchObject({ outcome: 'delivered', response: { status: 200, body: 'accepted via GET' } });
    expect(b.received.map((r) => r.url)).toEqual(['/old', '/old', '/new']);
  });
});

describe('http-post plugin — the default reading, without classify', () => {
  it('keeps classify undefined when none is given, an explicit leadconduit() as given, and stays strict', () => {
    expect(httpPostPlugin.optionsSchema.parse({ url: 'https://buyer.example/leads' }).classify).toBeUndefined();
    expect(httpPostPlugin.optionsSchema.parse({ url: 'https://buyer.example/leads', classify: leadconduit() }).classify).toEqual({ kind: 'leadconduit', options: {} });
    expect(httpPostPlugin.optionsSchema.safeParse({ url: 'https://buyer.example/leads', classify: { kind: 'guess' } }).success).toBe(false);
    expect(httpPostPlugin.optionsSchema.safeParse({ url: 'https://buyer.example/leads', clasify: leadconduit() }).success).toBe(false);
  });

  it('rejects a 401, 403 and 404 with the status and what the buyer said', async () => {
    const cases: [number, string, string][] = [
      [401, '{"error": "Invalid API key"}', 'HTTP 401: {"error": "Invalid API key"}'],
      [403, 'Forbidden\n\n  for this   source', 'HTTP 403: Forbidden for this source'],
      [404, '', 'HTTP 404 Not Found'],
    ];
    for (const [status, body, reason] of cases) {
      const b = await buyer(answer(status, 'text/plain', body));
      expect(await deliver({ url: b.url })).toMatchObject({ outcome: 'rejected', reason, response: { status, body } });
    }
  });

  it('rejects a redirect it does not follow, naming the Location; with followRedirects the new endpoint answers', async () => {
    const b = await buyer((req, res) => {
      if (req.url === '/old') res.writeHead(301, { Location: 'https://new.example/leads', 'Content-Type': 'text/plain' }).end('moved');
      else res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    });
    expect(await deliver({ url: `${b.url}/old` })).toMatchObject({ outcome: 'rejected', reason: 'HTTP 301 redirect to https://new.example/leads (redirects are not followed)' });
    const local = await buyer((req, res) => {
      if (req.url === '/old') res.writeHead(308, { Location: '/new' }).end();
      else res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    });
    expect(await deliver({ url: `${local.url}/old`, followRedirects: true })).toMatchObject({ outcome: 'delivered', response: { status: 200 } });
  });

  it('retries 408, 425, 429 and 5xx with the status line, passing on Retry-After', async () => {
    for (const [status, reason] of [
      [408, 'HTTP 408 Request Timeout'],
      [425, 'HTTP 425 Too Early'],
      [429, 'HTTP 429 Too Many Requests'],
      [503, 'HTTP 503 Service Unavailable'],
    ] as const) {
      const b = await buyer(answer(status, 'text/plain', 'later', { 'Retry-After': '30' }));
      expect(await deliver({ url: b.url })).toMatchObject({ outcome: 'retry', reason, retryAfterMs: 30_000 });
    }
  });

  it('gives cli classify the same default reading', () => {
    const options = httpPostPlugin.optionsSchema.parse({ url: 'https://buyer.example/leads' });
    expect(httpPostPlugin.classify!(options, { status: 404, headers: {}, body: 'Not Found' })).toEqual({ outcome: 'rejected', reason: 'HTTP 404: Not Found' });
    expect(httpPostPlugin.classify!(options, { status: 204, headers: {}, body: '' })).toEqual({ outcome: 'delivered' });
  });

  it('leaves leadconduit() as LeadConduit reads it: a 404 is parsed like a 200', async () => {
    const b = await buyer(answer(404, 'text/plain', 'Not Found'));
    expect(await deliver({ url: b.url, classify: leadconduit() })).toMatchObject({ outcome: 'delivered', response: { status: 404 } });
  });
});

describe('http-post plugin — prepare, summary and module', () => {
  it('names every unknown field, in fields and in mapping', () => {
    const error = prepareError({ url: 'https://buyer.example/leads', fields: ['first_name', 'nope'], mapping: { zipp: 'PostalCode' } });
    expect(error.problems).toEqual([
      { path: ['fields', 1], message: "unknown field 'nope' (campaign fields: first_name, last_name, email, phone, zip, state)" },
      { path: ['mapping', 'zipp'], message: "unknown field 'zipp' (campaign fields: first_name, last_name, email, phone, zip, state); did you mean 'zip'?" },
    ]);
  });

  it('refuses a URL that is not http(s), or templated outside its query values', () => {
    expect(prepareError({ url: 'ftp://buyer.example/x' }).problems[0]).toMatchObject({ path: ['url'], message: expect.stringMatching(/http or https/) });
    expect(prepareError({ url: 'not a url' }).problems[0]).toMatchObject({ path: ['url'] });
    expect(prepareError({ url: 'https://{{state}}.buyer.example/x' }).problems[0]).toMatchObject({ path: ['url'], message: expect.stringMatching(/only query values/) });
  });

  it('checks testUrl like url, and points the test options at it', () => {
    expect(prepareError({ url: 'https://buyer.example/x', testUrl: 'ftp://sandbox.example/x' }).problems).toEqual([{ path: ['testUrl'], message: 'must be http or https, not ftp' }]);
    expect(prepareError({ url: 'https://buyer.example/x', testUrl: 'https://sandbox.example/x?src={{sorce}}' }).problems[0]).toMatchObject({ path: ['testUrl'] });
    const options = httpPostPlugin.optionsSchema.parse({ url: 'https://buyer.example/x', testUrl: 'https://sandbox.example/x' });
    expect(httpPostPlugin.testOptions!(options)).toEqual({ ...options, url: 'https://sandbox.example/x' });
    expect(httpPostPlugin.testOptions!(httpPostPlugin.optionsSchema.parse({ url: 'https://buyer.example/x' }))).toBeUndefined();
  });

  it('reports template errors at body and url, with their position', () => {
    const body = prepareError({ url: 'https://buyer.example/x', body: json('{"zip": {{json zipp}}}') });
    expect(body.problems).toEqual([{ path: ['body'], message: "unknown variable 'zipp' (variables: first_name, last_name, email, phone, zip, state, lead_id, received_at, campaign); did you mean 'zip'? (line 1, column 16)" }]);
    const url = prepareError({ url: 'https://buyer.example/x?src={{sorce}}' });
    expect(url.problems).toEqual([{ path: ['url'], message: "query value 'src': unknown variable 'sorce' (variables: first_name, last_name, email, phone, zip, state, lead_id, received_at, campaign) (line 1, column 3)" }]);
  });

  it('refuses headers leadrelay sets, auth conflicts and a bad signing secret', () => {
    const error = prepareError({
      url: 'https://buyer.example/x',
      headers: { Host: 'x', 'Idempotency-Key': 'x', Authorization: 'Basic x', 'Bad Name': 'x' },
      auth: bearer('t'),
      signing: { secret: 'whsec_***' },
    });
    expect(error.problems.map((p) => p.path.join('.'))).toEqual(['headers.Host', 'headers.Idempotency-Key', 'headers.Authorization', 'headers.Bad Name', 'signing.secret']);
  });

  it('summarises as method and URL without query or credentials', () => {
    const options = httpPostPlugin.optionsSchema.parse({ url: 'https://user:secret@buyer.example/leads?key=abc' });
    expect(httpPostPlugin.summary!(options)).toBe('POST https://buyer.example/leads');
    expect(httpPostPlugin.mode(options)).toEqual({ kind: 'realtime' });
  });

  it('is a branded plugin provided by its Nest module', () => {
    expect(isDeliveryPlugin(httpPostPlugin)).toBe(true);
    expect(httpPostPlugin.name).toBe('http-post');
    const metadata = Reflect.getMetadata('providers', HttpPostPluginModule) as { provide: string; useValue: unknown }[];
    expect(metadata).toEqual([{ provide: HTTP_POST_PLUGIN, useValue: httpPostPlugin }]);
  });
});
