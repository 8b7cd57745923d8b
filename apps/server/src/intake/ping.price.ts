import type { Margin } from '@leadrelay/sdk';

/**
 * The price an inbound ping is quoted (docs/api.md › Pings): the best bid less the campaign's
 * margin — a share of it or a fixed amount — never below 0, rounded to cents.
 */
export function pingPrice(bestBid: number, margin: Margin | undefined): number {
  const kept = margin === undefined ? 0 : 'percent' in margin ? (bestBid * margin.percent) / 100 : margin.fixed;
  // Rounded once, at the end, from the exact difference: 12 less 25 % is 9, not 9.000000000000002.
  return Math.max(Math.round((bestBid - kept) * 100) / 100, 0);
}
