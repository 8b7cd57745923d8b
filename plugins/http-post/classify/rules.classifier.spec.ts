import { type BuyerResponse } from '@leadrelay/sdk/plugin';
import { classifyWith, rules } from '@leadrelay/sdk';
import { classify } from '.';

const response = (status: number, body: unknown, headers: Record<string, string> = {}): BuyerResponse => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const failed = (code: string): BuyerResponse => ({ headers: {}, body: '', error: { code, message: `${code} happened` } });

describe('rules() classifier', () => {
  const buyer = rules(
    [
      { status: [500, 599], outcome: 'retry', reason: 'Buyer down' },
      { error: 'timeout', outcome: 'rejected', reason: 'too slow for this buyer' },
      { status: 200, json: { path: 'result', equals: 'accepted' }, outcome: 'delivered', price: { json: 'bid.amount' }, reference: { json: 'lead.id' } },
      { json: { path: 'errors.*.message', matches: /duplicate/i }, outcome: 'rejected', reason: { json: 'errors.*.message' } },
      { xpath: { path: '/response/status/text()', equals: 'OK' }, outcome: 'delivered', reference: { xpath: '/response/@id' } },
      { header: { name: 'X-Result', matches: '^queued$' }, outcome: 'retry', reason: { header: 'x-reason' } },
      { body: /^REJECT/, outcome: 'rejected', reason: { body: /^REJECT: (.*)$/m } },
    ],
    { default: 'rejected', defaultReason: 'Unrecognised response' },
  );

  it('takes the first rule that matches, extracting reason, price and reference', () => {
    expect(classify(buyer, response(200, { result: 'accepted', bid: { amount: '4.25' }, lead: { id: 'B-9' } }))).toEqual({ outcome: 'delivered', price: 4.25, reference: 'B-9' });
    expect(classify(buyer, response(422, { errors: [{ message: 'Duplicate lead' }, { message: 'duplicate phone' }] }))).toEqual({
      outcome: 'rejected',
      reason: 'Duplicate lead, duplicate phone',
    });
    expect(classify(buyer, response(502, 'bad gateway'))).toEqual({ outcome: 'retry', reason: 'Buyer down' });
  });

  it('reads XML, headers and the raw body', () => {
    expect(classify(buyer, response(200, '<response id="R-1"><status>OK</status></response>', { 'content-type': 'text/plain' }))).toEqual({ outcome: 'delivered', reference: 'R-1' });
    expect(classify(buyer, response(202, '', { 'x-result': 'queued', 'X-Reason': 'try later' }))).toEqual({ outcome: 'retry', reason: 'try later' });
    expect(classify(buyer, response(200, 'REJECT: out of area\n'))).toEqual({ outcome: 'rejected', reason: 'out of area' });
  });

  it('falls back to the default outcome and reason', () => {
    expect(classify(buyer, response(200, { result: 'pending' }))).toEqual({ outcome: 'rejected', reason: 'Unrecognised response' });
    expect(classify(rules([]), response(200, 'ok'))).toEqual({ outcome: 'rejected' });
  });

  it('leaves transport errors to error rules, and retries those no rule claims', () => {
    expect(classify(buyer, failed('timeout'))).toEqual({ outcome: 'rejected', reason: 'too slow for this buyer' });
    expect(classify(buyer, failed('refused'))).toEqual({ outcome: 'retry', reason: 'Connection refused' });
    expect(classify(rules([{ outcome: 'delivered' }]), failed('reset'))).toEqual({ outcome: 'retry', reason: 'Connection reset' });
    expect(classify(rules([{ error: true, outcome: 'rejected' }]), failed('dns'))).toEqual({ outcome: 'rejected' });
  });

  it('does not match json or xpath rules on bodies that are not JSON or XML', () => {
    const strict = rules([{ json: { path: 'ok' }, outcome: 'delivered' }, { xpath: { path: '//ok' }, outcome: 'delivered' }], { default: 'retry' });
    expect(classify(strict, response(200, 'ok'))).toEqual({ outcome: 'retry' });
    expect(classify(strict, response(200, { ok: false }))).toEqual({ outcome: 'delivered' });
  });
});

describe('function classifiers', () => {
  it('accept an outcome or a whole classification', () => {
    expect(classify(classifyWith((r) => (r.status === 201 ? 'delivered' : 'rejected')), response(201, ''))).toEqual({ outcome: 'delivered' });
    expect(classify(classifyWith((r) => ({ outcome: 'rejected', reason: r.body })), response(200, 'nope'))).toEqual({ outcome: 'rejected', reason: 'nope' });
  });

  it('see transport errors', () => {
    expect(classify(classifyWith((r) => (r.error?.code === 'timeout' ? 'rejected' : 'retry')), failed('timeout'))).toEqual({ outcome: 'rejected' });
  });

  it('turn a throw or a nonsense answer into retry with the reason', () => {
    const throwing = classifyWith(() => {
      throw new Error('boom');
    });
    expect(classify(throwing, response(200, ''))).toEqual({ outcome: 'retry', reason: 'classifier function failed: boom' });
    expect(classify(classifyWith(() => 'accepted' as never), response(200, '')).outcome).toBe('retry');
  });
});
