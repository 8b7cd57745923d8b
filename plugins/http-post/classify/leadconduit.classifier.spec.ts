import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type BuyerResponse } from '@leadrelay/sdk/plugin';
import { classifyWith, leadconduit } from '@leadrelay/sdk';
import { classifierSchema } from '@leadrelay/sdk/internal';
import { expectLikeLeadConduit, LEADCONDUIT_CASES } from '../../../test/leadconduit-cases/leadconduit-cases.fixture';
import { classify } from '.';
import { captureProblems, setCookieHeaders } from './leadconduit.capture';

/**
 * The LeadConduit response cases, kept in the repository (test/fixtures) so the suite passes from
 * a clone anywhere; where the shared fixtures sit beside the clone, the copy must still match them.
 */
function findRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the spec');
    dir = parent;
  }
  return dir;
}

const ROOT = findRoot();
const FIXTURE = readFileSync(path.join(ROOT, 'test', 'fixtures', 'leadconduit-response-cases.json'), 'utf8');
const SHARED = path.resolve(ROOT, '..', 'shared', 'fixtures', 'leadconduit-response-cases.json');

describe('leadconduit() classifier — LeadConduit response cases', () => {
  (existsSync(SHARED) ? it : it.skip)('keeps its copy of the cases equal to the shared fixtures beside the clone', () => {
    expect(JSON.parse(FIXTURE)).toEqual(JSON.parse(readFileSync(SHARED, 'utf8')));
  });

  it('has all 41 cases', () => {
    expect(LEADCONDUIT_CASES).toHaveLength(41);
  });

  it.each(LEADCONDUIT_CASES.map((c) => [`${c.id}: ${c.case}`, c] as const))('%s', (_name, c) => {
    expectLikeLeadConduit(classify(leadconduit(c.options), c.response), c);
  });
});

describe('leadconduit() classifier — beyond the fixture', () => {
  const json = (body: unknown, status = 200): BuyerResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('drops whitespace-only reasons and reads the reference', () => {
    expect(classify(leadconduit({ outcome_search_term: 'ok', outcome_search_path: 'status', reason_path: 'errors', reference_path: 'id' }), json({ status: 'OK', errors: [' ', ''], id: 'L-1' }))).toEqual({
      outcome: 'delivered',
      price: 0,
      reference: 'L-1',
    });
  });

  it('matches an empty term against anything, and error on match retries', () => {
    expect(classify(leadconduit({ outcome_search_term: '', outcome_on_match: 'error' }), json({ a: 1 })).outcome).toBe('retry');
    expect(classify(leadconduit({ outcome_search_term: 'nope', outcome_on_match: 'error' }), json({ a: 1 })).outcome).toBe('delivered');
  });

  it('honours regex flags written /…/flags and stays case-insensitive', () => {
    expect(classify(leadconduit({ outcome_search_term: '/^ACCEPTED$/m' }), { status: 200, headers: {}, body: 'x\naccepted\ny' }).outcome).toBe('delivered');
  });

  it('reads price and reference from a 4xx like from a 200, and 5xx retries whatever the body', () => {
    expect(classify(leadconduit({ outcome_search_term: 'accepted', price_path: 'bid' }), json({ result: 'duplicate', bid: '$1,250.00' }, 409))).toEqual({ outcome: 'rejected', price: 1250 });
    expect(classify(leadconduit({ outcome_search_term: 'accepted' }), json({ result: 'accepted' }, 503))).toEqual({ outcome: 'retry', reason: 'Server error' });
  });

  it('cannot reach prototype properties through a dot path', () => {
    expect(classify(leadconduit({ reason_path: 'constructor.name' }), json({ a: 1 })).reason).toBeUndefined();
    expect(classify(leadconduit({ reason_path: '__proto__' }), json({ a: 1 })).reason).toBeUndefined();
  });

  it('retries a transport error', () => {
    expect(classify(leadconduit({}), { headers: {}, body: '', error: { code: 'timeout', message: 'no response within 10 ms' } })).toEqual({ outcome: 'retry', reason: 'Timed out' });
  });

  it('reads form-encoded bodies with dot paths', () => {
    const response: BuyerResponse = { status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'status=rejected&reason=Duplicate+lead&reason=Bad+zip' };
    expect(classify(leadconduit({ outcome_search_term: 'accepted', outcome_search_path: 'status', reason_path: 'reason' }), response)).toEqual({
      outcome: 'rejected',
      reason: 'Bad zip, Duplicate lead',
      price: 0,
    });
  });
});

describe('leadconduit() capture and cookie_search_term', () => {
  const text = (body: string, headers: Record<string, string> = {}): BuyerResponse => ({ status: 200, headers: { 'content-type': 'text/plain', ...headers }, body });

  it('keeps the first group of each named expression, the whole match when it has none, and leaves out what is not found', () => {
    const options = { capture: { order_id: 'Order #(\\d+)', status: '/^status: \\w+$/m', missing: 'Invoice (\\d+)', optional: 'x(y)?z' } };
    expect(classify(leadconduit(options), text('Thanks!\nOrder #123 placed\nstatus: queued\nxz')).captured).toEqual({ order_id: '123', status: 'status: queued' });
  });

  it('runs on the body as received whatever its type, case as written unless /…/i', () => {
    const json: BuyerResponse = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"Result":"OK","LeadId":"L-77"}' };
    expect(classify(leadconduit({ capture: { lead: '"LeadId":"([^"]+)"', lower: '"leadid":"([^"]+)"', any: '/"leadid":"([^"]+)"/i' } }), json).captured).toEqual({ lead: 'L-77', any: 'L-77' });
  });

  it('captures nothing from a 5xx or a 429, which are never parsed', () => {
    expect(classify(leadconduit({ capture: { id: '(\\d+)' } }), { ...text('123'), status: 503 }).captured).toBeUndefined();
    expect(classify(leadconduit({ capture: { id: '(\\d+)' } }), { ...text('123'), status: 429 }).captured).toBeUndefined();
  });

  it('keeps the first Set-Cookie header, in sorted order, that the term matches case-insensitively, whole', () => {
    // The HTTP client joins repeated headers with ", "; a date's comma does not split a cookie.
    const cookies = 'zz_track=1; Path=/, SESSION=abc123; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly, session_hint=x; Path=/';
    const response = text('OK', { 'Set-Cookie': cookies });
    expect(classify(leadconduit({ cookie_search_term: 'session' }), response).captured).toEqual({ cookie: 'SESSION=abc123; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly' });
    expect(classify(leadconduit({ cookie_search_term: '^session_' }), response).captured).toEqual({ cookie: 'session_hint=x; Path=/' });
    expect(classify(leadconduit({ cookie_search_term: '' }), response).captured).toEqual({ cookie: 'SESSION=abc123; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly' });
    expect(classify(leadconduit({ cookie_search_term: 'nothing' }), response).captured).toBeUndefined();
    expect(classify(leadconduit({ cookie_search_term: 'session' }), text('OK')).captured).toBeUndefined();
  });

  it('splits joined Set-Cookie headers only where a new cookie starts', () => {
    expect(setCookieHeaders('a=1, b=2; Expires=Thu, 01 Jan 2027 00:00:00 GMT,c=3')).toEqual(['a=1', 'b=2; Expires=Thu, 01 Jan 2027 00:00:00 GMT', 'c=3']);
    expect(setCookieHeaders(undefined)).toEqual([]);
    expect(setCookieHeaders(' ')).toEqual([]);
  });

  it('names the expressions that do not compile and a capture the cookie would overwrite', () => {
    expect(captureProblems({ capture: { bad: '/bad: (.*/x', fine: 'ok (\\d+)', cookie: 'c=(\\w+)' }, cookie_search_term: '(' })).toEqual([
      { path: ['capture', 'bad'], message: "'/bad: (.*/x' is not a valid regular expression" },
      { path: ['cookie_search_term'], message: "'(' is not a valid regular expression" },
      { path: ['capture', 'cookie'], message: "the name 'cookie' is where cookie_search_term keeps the cookie it finds; choose another name" },
    ]);
    expect(captureProblems({ capture: { cookie: 'c=(\\w+)' } })).toEqual([]);
  });

  it('takes captured from a classifier function only as an object of strings', () => {
    expect(classify(classifyWith(() => ({ outcome: 'delivered', captured: { id: '7' } })), text('x'))).toEqual({ outcome: 'delivered', captured: { id: '7' } });
    const bad = classify(classifyWith(() => ({ outcome: 'delivered', captured: { id: 7 } as unknown as Record<string, string> })), text('x'));
    expect(bad).toEqual({ outcome: 'retry', reason: 'classifier function returned captured {"id":7}, not an object of strings' });
  });

  it('refuses a capture name or expression a campaign file cannot mean', () => {
    expect(classifierSchema.safeParse(leadconduit({ capture: { 'order id': '(\\d+)' } })).success).toBe(false);
    expect(classifierSchema.safeParse(leadconduit({ capture: { order_id: '' } })).success).toBe(false);
    expect(classifierSchema.safeParse(leadconduit({ capture: { order_id: '(\\d+)', 'buyer.ref': 'ref=(\\w+)' }, cookie_search_term: 'sid' })).success).toBe(true);
  });
});
