import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type BuyerResponse, type LeadConduitOptions } from '@leadrelay/sdk/plugin';
import { leadconduit } from '@leadrelay/sdk';
import { classify } from '.';

interface FixtureCase {
  id: string;
  case: string;
  options: LeadConduitOptions;
  response: { status: number; headers: Record<string, string>; body: string };
  expected: { outcome?: string; reason?: string; price?: number | string; reference?: string };
}

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
const fixture = JSON.parse(FIXTURE) as { cases: FixtureCase[] };

describe('leadconduit() classifier — LeadConduit response cases', () => {
  (existsSync(SHARED) ? it : it.skip)('keeps its copy of the cases equal to the shared fixtures beside the clone', () => {
    expect(JSON.parse(FIXTURE)).toEqual(JSON.parse(readFileSync(SHARED, 'utf8')));
  });

  it('has all 41 cases', () => {
    expect(fixture.cases).toHaveLength(41);
  });

  it.each(fixture.cases.map((c) => [`${c.id}: ${c.case}`, c] as const))('%s', (_name, c) => {
    // Options LeadConduit has and leadrelay does not (`capture`) are passed through untouched and ignored.
    const result = classify(leadconduit(c.options), c.response as BuyerResponse);
    const { outcome, reason, price, reference } = c.expected;
    if ('outcome' in c.expected) expect(result.outcome).toBe(outcome);
    if ('reason' in c.expected) expect(result.reason).toBe(reason);
    // LeadConduit reports prices as it found them ("1.5", "12.50"); leadrelay's are numbers.
    if ('price' in c.expected) expect(result.price).toBe(Number(price));
    if ('reference' in c.expected) expect(result.reference).toBe(reference);
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
