import * as http from 'node:http';
import fc from 'fast-check';
import { Client } from 'pg';
import { normaliseLead } from '@leadrelay/sdk/internal';
import intakeTest from './campaigns/intake-test.campaign';
import { contract } from './support/openapi-contract';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * R7 (docs/quality.md) by generation: JSON and form-encoded bodies with random keys, nesting,
 * types, sizes and text (NUL, lone surrogates, emoji, right-to-left marks …) posted to a real
 * server. Whatever comes: never a 5xx; a refused body stores nothing; an accepted one reads back
 * through the admin API exactly — `raw` as sent, `data` as the field types normalise it.
 */
describe('intake fuzzing (docs/api.md › Intake)', () => {
  let server: TestServer;
  let db: Client;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const path = '/v1/campaigns/intake-test/leads';
  const LIMIT = 64 * 1024;
  const DELIVERIES = intakeTest.deliveries.length;
  /** About 15 s for the small ones and 5 s for the large ones on a shared 2-CPU machine. */
  const RUNS = 2_000;
  const LARGE_RUNS = 300;

  beforeAll(async () => {
    server = await startTestServer('intake_fuzz');
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    agent.destroy();
    await db?.end();
    await server?.stop();
  });

  interface Sent {
    type: 'application/json' | 'application/x-www-form-urlencoded';
    text: string;
    /** Written in pieces with no Content-Length (Transfer-Encoding: chunked). */
    chunked: boolean;
  }
  interface Answer {
    status: number;
    body: any;
  }

  /** One POST over node:http, so a body can go chunked (fetch would need a stream for that). */
  function post(sent: Sent): Promise<Answer> {
    const url = new URL(server.url);
    const bytes = Buffer.from(sent.text, 'utf8');
    const headers: Record<string, string> = { 'content-type': sent.type, 'x-api-key': 'intake-key' };
    if (!sent.chunked) headers['content-length'] = String(bytes.length);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, agent, method: 'POST', path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // left as text: the assertions below say what was expected
          }
          // Checked against /openapi.json as fetch's answers are (test/support/openapi-contract.setup.ts).
          const seen = { method: 'POST', url: `${server.url}${path}`, status: res.statusCode!, contentType: res.headers['content-type'] ?? null, body: text };
          contract.observe(seen).then(() => resolve({ status: res.statusCode!, body }), reject);
        });
      });
      req.on('error', reject);
      if (!sent.chunked) return void req.end(bytes);
      const pieces = [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)];
      req.write(pieces[0], () => req.end(pieces[1]));
    });
  }

  async function stored(): Promise<{ leads: number; dispatches: number }> {
    const { rows } = await db.query('select (select count(*) from lead)::int as leads, (select count(*) from dispatch)::int as dispatches');
    return rows[0];
  }

  /** A test-side check, independent of the server's: NUL, or a surrogate UTF-8 cannot encode. */
  function unstorable(text: string): boolean {
    if (text.includes('\u0000')) return true;
    try {
      encodeURIComponent(text);
      return false;
    } catch {
      return true;
    }
  }

  /** Every string (names too) anywhere in a value. */
  function strings(value: unknown): string[] {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
    return [];
  }

  /** What the server was sent, as an object: JSON parsed, a form's fields in order (the last of a name wins). */
  function submitted(sent: Sent): Record<string, unknown> | undefined {
    if (sent.type === 'application/json') {
      const parsed = JSON.parse(sent.text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
    }
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of new URLSearchParams(sent.text)) out[k] = v;
    return out;
  }

  /** How the generated bodies came out, so a generator that drifts (all refused, none too large) fails loudly. */
  const seen = new Map<string, number>();
  const tally = (outcome: string) => seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  const share = (outcome: string, runs: number) => (seen.get(outcome) ?? 0) / runs;

  /** The property every generated body must keep. */
  async function check(sent: Sent): Promise<void> {
    const before = await stored();
    const answer = await post(sent);
    const bytes = Buffer.byteLength(sent.text, 'utf8');
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).toEqual(answer.status === 201 ? expect.objectContaining({ id: expect.any(String) }) : expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
    const now = await stored();
    if (bytes > LIMIT) {
      expect(answer.status).toBe(413);
      tally('too large');
    } else {
      const submission = submitted(sent);
      const expected = submission && normaliseLead(intakeTest.fields, Object.assign(Object.create(null), submission));
      const bad = submission ? Object.entries(submission).filter(([k, v]) => [k, ...strings(v)].some(unstorable)).map(([k]) => k) : [];
      if (bad.length) {
        expect(answer.status).toBe(422);
        expect(answer.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(bad));
      }
      if (!expected || expected.errors.length) {
        expect(answer.status).toBe(expected ? 422 : 400);
        tally(bad.length ? 'unstorable' : 'refused');
      } else {
        expect(answer.status).toBe(201);
        tally('accepted');
        const res = await fetch(`${server.url}/v1/leads/${answer.body.id}`, { headers: server.admin });
        const lead = await res.json();
        expect(lead.raw).toEqual(submission);
        expect(lead.data).toEqual(expected.data);
      }
    }
    const accepted = answer.status === 201 ? 1 : 0;
    expect(now).toEqual({ leads: before.leads + accepted, dispatches: before.dispatches + accepted * DELIVERIES });
  }

  // ---- what bodies are made of ----

  /** Any code point, lone surrogates included (fast-check's own 'binary' unit leaves them out). */
  const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));
  const awkward = fc.constantFrom('😀', '👩🏽‍🚀', '🇺🇸', '\u202e', '\u200f', 'שלום', 'مرحبا', 'e\u0301', '\ufeff', '\ufffd', '\u2028', '"', '\\', '&', '=', '+', '%', '%00', ' ', '\t', '\n', '\u0001');
  const unstorableChar = fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff');
  const unit = fc.oneof(
    { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), weight: 120 },
    { arbitrary: anyCodePoint, weight: 40 },
    { arbitrary: awkward, weight: 30 },
    { arbitrary: unstorableChar, weight: 1 },
  );
  const text = (maxLength: number) => fc.string({ unit, maxLength });

  /** A declared field's value: usually one its type accepts (so many leads get through), else anything. */
  const usually = (valid: fc.Arbitrary<unknown>, other: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: other, weight: 1 });
  const isoDate = fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const typed: Record<string, fc.Arbitrary<unknown>> = {
    first_name: usually(fc.oneof(text(40).map((t) => `A${t}`), fc.constantFrom('  Zoë 🌞 ', 'שלום')), fc.oneof(text(40), fc.constantFrom('', '   '), fc.integer(), fc.boolean())),
    email: usually(fc.oneof(fc.emailAddress(), fc.constantFrom(' Ana@Example.COM ')), fc.oneof(fc.constantFrom('nope', ''), text(20))),
    phone: usually(fc.constantFrom('(512) 555-0100', '+1 512 555 0100', '512.555.0100', 5125550100), fc.oneof(fc.integer({ min: 0, max: 99_999_999_999 }), text(14))),
    zip: usually(fc.constantFrom('78701', '78701-1234', 'K1A0B1', ' k1a 0b1 '), fc.oneof(fc.constantFrom('ABCDE'), text(10))),
    state: usually(fc.constantFrom('tx', 'Texas', '  new   york ', 'DC'), fc.oneof(fc.constantFrom('Narnia'), text(12))),
    bill: usually(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom('142.50', '1e3', ' -12.5 ')), fc.oneof(fc.constantFrom('12,000'), text(8))),
    homeowner: usually(fc.oneof(fc.boolean(), fc.constantFrom('yes', 'NO', '1', 0)), fc.oneof(fc.constantFrom('perhaps', 2), text(6))),
    birth_date: usually(fc.oneof(isoDate, fc.constantFrom('03/31/1980', '3/5/2024')), fc.oneof(fc.constantFrom('2023-02-30'), text(12))),
  };
  const key = fc.oneof(
    { arbitrary: text(12), weight: 6 },
    { arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'a.b', 'a[0]', 'utm_source'), weight: 1 },
  );
  const scalar = fc.oneof(text(30), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
  const nested = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 3 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  })).value;
  /** An extra, undeclared value: mostly plain, now and then nested (which is refused). */
  const extra = fc.oneof({ arbitrary: scalar, weight: 9 }, { arbitrary: nested, weight: 1 });

  /** A lead-shaped object: some declared fields (usually the required ones), some extras. */
  const leadObject = (maxExtras: number) =>
    fc
      .tuple(
        fc.record(typed, { requiredKeys: [] }),
        fc.record({ first_name: fc.constantFrom('Ana', ' Bo '), email: fc.emailAddress() }),
        fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
        fc.dictionary(key, extra, { maxKeys: maxExtras }),
      )
      .map(([fields, required, keepRequired, extras]) => ({ ...extras, ...(keepRequired ? required : {}), ...fields }));

  /** Form bodies carry strings only; a lone surrogate cannot be percent-encoded, so the encoder sends U+FFFD instead. */
  const asForm = (o: Record<string, unknown>) => new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
  const encoded = (objects: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Sent> =>
    fc.record({ object: objects, json: fc.boolean(), chunked: fc.boolean() }).map(({ object, json, chunked }) =>
      json ? { type: 'application/json', text: JSON.stringify(object), chunked } : { type: 'application/x-www-form-urlencoded', text: asForm(object), chunked },
    );

  /** One long value (8 to 40 thousand characters, up to ~160 KiB in UTF-8) beside a lead: either side of the 64 KiB limit. */
  const largeObject = fc
    .tuple(leadObject(2), fc.integer({ min: 8 * 1024, max: 40 * 1024 }), fc.constantFrom('a', 'é', '😀', 'ש', '\u0000'), text(8))
    .map(([lead, length, filler, tail]) => ({ ...lead, long_value: filler.repeat(Math.floor(length / filler.length)) + tail }));

  it('never answers 5xx to thousands of small generated bodies; refused ones store nothing, accepted ones read back exactly', async () => {
    seen.clear();
    await fc.assert(fc.asyncProperty(encoded(leadObject(6)), check), { numRuns: RUNS });
    expect(share('accepted', RUNS)).toBeGreaterThan(0.2);
    expect(share('unstorable', RUNS)).toBeGreaterThan(0.02);
  });

  it('the same for a few hundred large ones, either side of the 64 KiB limit, declared or chunked', async () => {
    seen.clear();
    await fc.assert(fc.asyncProperty(encoded(largeObject), check), { numRuns: LARGE_RUNS });
    expect(share('too large', LARGE_RUNS)).toBeGreaterThan(0.1);
    expect(share('accepted', LARGE_RUNS)).toBeGreaterThan(0.1);
  });

  it('refuses NUL and lone surrogates with a 422 naming the field, in values, names and nested values', async () => {
    const before = await stored();
    const cases: [Sent, string][] = [
      [{ type: 'application/json', text: JSON.stringify({ first_name: 'A\u0000', email: 'a@example.com' }), chunked: false }, 'first_name'],
      [{ type: 'application/json', text: JSON.stringify({ first_name: 'A', email: 'a@example.com', note: 'x\ud800' }), chunked: false }, 'note'],
      [{ type: 'application/json', text: JSON.stringify({ first_name: 'A', email: 'a@example.com', ['k\u0000']: 'v' }), chunked: false }, 'k\u0000'],
      [{ type: 'application/json', text: JSON.stringify({ first_name: 'A', email: 'a@example.com', address: { lines: ['\udfff'] } }), chunked: true }, 'address'],
      [{ type: 'application/x-www-form-urlencoded', text: 'first_name=A%00&email=a%40example.com', chunked: false }, 'first_name'],
    ];
    for (const [body, field] of cases) {
      const answer = await post(body);
      expect(answer.status).toBe(422);
      expect(answer.body.errors).toContainEqual({ field, message: expect.stringMatching(/NUL character \(U\+0000\)|unpaired UTF-16 surrogate \(U\+D[89A-F][0-9A-F]{2}\)/) });
    }
    expect(await stored()).toEqual(before);
  });

  it('closes the connection of a client that stops sending its over-limit body once answered', async () => {
    const url = new URL(server.url);
    const kept = new http.Agent({ keepAlive: true });
    const answered = await new Promise<{ status: number; closed: Promise<void> }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, agent: kept, method: 'POST', path, headers: { 'content-type': 'application/json', 'x-api-key': 'intake-key' } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, closed: new Promise((done) => req.socket!.once('close', () => done())) });
      });
      req.on('error', () => undefined);
      // More than the limit, then nothing: the request is never ended.
      req.write(Buffer.alloc(LIMIT + 1024, 'a'), (err) => err && reject(err));
    });
    expect(answered.status).toBe(413);
    await answered.closed;
    kept.destroy();
  });
});
