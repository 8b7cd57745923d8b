import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BuyerResponse, Classification, LeadConduitOptions } from '@leadrelay/sdk/plugin';

/** One of LeadConduit's response cases: its settings, the buyer's answer, what LeadConduit concluded. */
export interface LeadConduitCase {
  id: string;
  case: string;
  options: LeadConduitOptions;
  response: BuyerResponse & { status: number };
  expected: { outcome?: string; reason?: string; price?: number | string; reference?: string };
}

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

/** The 41 cases of test/fixtures/leadconduit-response-cases.json. */
export const LEADCONDUIT_CASES = (JSON.parse(readFileSync(path.join(FIXTURES, 'leadconduit-response-cases.json'), 'utf8')) as { cases: LeadConduitCase[] }).cases;

/** What the cases using `capture` capture, from LeadConduit's own test (the fixture records only four keys). */
const CAPTURED = (JSON.parse(readFileSync(path.join(FIXTURES, 'leadconduit-captured.json'), 'utf8')) as { captured: Record<string, Record<string, string>> }).captured;

/**
 * Asserts that a classification is what LeadConduit concluded for the case: only the keys the case
 * records, and `captured` exactly (nothing where the case captures nothing).
 */
export function expectLikeLeadConduit(result: Partial<Classification>, c: LeadConduitCase): void {
  const { outcome, reason, price, reference } = c.expected;
  if ('outcome' in c.expected) expect(result.outcome).toBe(outcome);
  if ('reason' in c.expected) expect(result.reason).toBe(reason);
  // LeadConduit reports prices as it found them ("1.5", "12.50"); leadrelay's are numbers.
  if ('price' in c.expected) expect(result.price).toBe(Number(price));
  if ('reference' in c.expected) expect(result.reference).toBe(reference);
  expect(result.captured).toEqual(CAPTURED[c.id]);
}
