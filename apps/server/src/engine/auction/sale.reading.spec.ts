import { postOrder, readPing, readPost, unsoldResult } from './sale.reading';

const DECLARED = ['acme', 'beta', 'gamma', 'delta', 'eps'];

describe('a sale’s reading of pings and posts (docs/architecture.md › Ping-post)', () => {
  it('reads a delivered ping with a price at or above the minimum as a bid, with its token', () => {
    expect(readPing({ outcome: 'delivered', price: 12, reference: 'tok-1' }, 5)).toEqual({ bid: { price: 12, reference: 'tok-1' } });
    expect(readPing({ outcome: 'delivered', price: 5 }, 5)).toEqual({ bid: { price: 5 } });
  });

  it('gives every other ping its reason, transient only when a later sale might go otherwise', () => {
    expect(readPing({ outcome: 'delivered', price: 4 }, 5)).toEqual({ stage: 'ping', reason: 'below minimum (4 < 5)', transient: false });
    expect(readPing({ outcome: 'delivered' }, 0)).toEqual({ stage: 'ping', reason: 'no bid: the answer had no price', transient: false });
    expect(readPing({ outcome: 'rejected', reason: 'not interested' }, 5)).toEqual({ stage: 'ping', reason: 'no bid: not interested', transient: false });
    expect(readPing({ outcome: 'rejected' }, 5)).toEqual({ stage: 'ping', reason: 'no bid', transient: false });
    expect(readPing({ outcome: 'retry', error: 'timeout: no complete response within 300 ms' }, 5)).toEqual({ stage: 'ping', reason: 'ping timed out', transient: true });
    expect(readPing({ outcome: 'retry', reason: 'Server error', error: undefined }, 5)).toEqual({ stage: 'ping', reason: 'ping failed: Server error', transient: true });
  });

  it('orders bids by price, best first, ties in declared order (highest)', () => {
    const bids = [
      { buyer: 'beta', price: 7 },
      { buyer: 'delta', price: 12 },
      { buyer: 'gamma', price: 12 },
      { buyer: 'acme', price: 5 },
    ];
    expect(postOrder(bids, DECLARED, 'highest').map((b) => b.buyer)).toEqual(['gamma', 'delta', 'beta', 'acme']);
  });

  it('orders bids in declared order whatever their price (waterfall)', () => {
    const bids = [
      { buyer: 'delta', price: 12 },
      { buyer: 'beta', price: 7 },
      { buyer: 'acme', price: 5 },
    ];
    expect(postOrder(bids, DECLARED, 'waterfall').map((b) => b.buyer)).toEqual(['acme', 'beta', 'delta']);
  });

  it('reads a post that did not deliver as rejected or failed, with what the buyer said', () => {
    expect(readPost({ outcome: 'rejected', reason: 'Duplicate' })).toBe('post rejected: Duplicate');
    expect(readPost({ outcome: 'retry', error: 'timeout: no complete response within 900 ms' })).toBe('post failed: timeout: no complete response within 900 ms');
  });

  it('rejects an unsold lead with every buyer’s reason in declared order', () => {
    const result = unsoldResult(
      [
        { buyer: 'gamma', stage: 'post', reason: 'bid 12, post rejected: full', transient: false },
        { buyer: 'acme', stage: 'ping', reason: 'below minimum (4 < 5)', transient: false },
        { buyer: 'eps', stage: 'eligibility', reason: 'not eligible: cap 50/day reached', transient: false },
      ],
      DECLARED,
    );
    expect(result).toEqual({ outcome: 'rejected', reason: 'acme: below minimum (4 < 5); gamma: bid 12, post rejected: full; eps: not eligible: cap 50/day reached' });
  });

  it('retries an unsold lead when a post failed transiently, or when every ping did', () => {
    const postFailed = unsoldResult(
      [
        { buyer: 'acme', stage: 'post', reason: 'bid 9, post failed: Server error', transient: true },
        { buyer: 'beta', stage: 'ping', reason: 'no bid', transient: false },
      ],
      DECLARED,
    );
    expect(postFailed.outcome).toBe('retry');
    const pingsFailed = unsoldResult(
      [
        { buyer: 'acme', stage: 'ping', reason: 'ping timed out', transient: true },
        { buyer: 'beta', stage: 'ping', reason: 'ping failed: Server error', transient: true },
        { buyer: 'gamma', stage: 'eligibility', reason: 'not eligible: criteria', transient: false },
      ],
      DECLARED,
    );
    expect(pingsFailed.outcome).toBe('retry');
    const onePingAnswered = unsoldResult(
      [
        { buyer: 'acme', stage: 'ping', reason: 'ping timed out', transient: true },
        { buyer: 'beta', stage: 'ping', reason: 'no bid', transient: false },
      ],
      DECLARED,
    );
    expect(onePingAnswered.outcome).toBe('rejected');
    expect(unsoldResult([{ buyer: 'acme', stage: 'eligibility', reason: 'not eligible: criteria', transient: false }], DECLARED)).toEqual({ outcome: 'rejected', reason: 'acme: not eligible: criteria' });
  });
});
