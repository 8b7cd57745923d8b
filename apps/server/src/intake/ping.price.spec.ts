import { pingPrice } from './ping.price';

describe('pingPrice: the best bid less the campaign margin', () => {
  it('quotes the best bid when the campaign has no margin', () => {
    expect(pingPrice(12.5, undefined)).toBe(12.5);
  });

  it('takes a share off with percent, rounded to cents', () => {
    expect(pingPrice(12, { percent: 25 })).toBe(9);
    expect(pingPrice(7.77, { percent: 33 })).toBe(5.21); // 7.77 × 0.67 = 5.2059
    expect(pingPrice(10, { percent: 0 })).toBe(10);
    expect(pingPrice(10, { percent: 100 })).toBe(0);
  });

  it('takes a fixed amount off, never below 0', () => {
    expect(pingPrice(12, { fixed: 2.5 })).toBe(9.5);
    expect(pingPrice(0.1, { fixed: 0.2 })).toBe(0); // 0.1 - 0.2 floats to -0.1…
    expect(pingPrice(2, { fixed: 2.5 })).toBe(0);
    expect(pingPrice(5.005, { fixed: 0 })).toBe(5.01);
  });
});
