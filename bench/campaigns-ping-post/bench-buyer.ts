import { defineCampaign, env, field, json, leadconduit, pingPost } from '@leadrelay/sdk';

/**
 * A bench buyer (bench/ping-post.bench.ts) at `BENCH_PP_<ID>_PING` and `_POST`, pinged with
 * the lead's id and zip. Every control that could change a round is lifted: no breaker (the silent
 * buyer's time-outs would open it), no in-flight limit (200 sales at once).
 */
export function benchBuyer(id: string) {
  const url = `BENCH_PP_${id.toUpperCase()}`;
  return {
    id,
    ping: {
      url: env(`${url}_PING`, 'http://127.0.0.1:9/ping'),
      body: json(`{"lead": {{json lead_id}}, "zip": {{json zip}}}`),
      classify: leadconduit({ outcome_search_term: 'true', outcome_search_path: 'accepted', price_path: 'bid', reference_path: 'token' }),
    },
    post: {
      url: env(`${url}_POST`, 'http://127.0.0.1:9/post'),
      body: json(`{"lead": {{json lead_id}}, "token": {{json ping.reference}}, "email": {{json email}}}`),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result' }),
    },
    concurrency: 1000,
    breaker: false as const,
  };
}

/** A bench campaign selling to `buyers`, `pingTimeoutMs` 500, the sale's own in-flight limit and breaker lifted too. */
export function benchCampaign(id: string, name: string, buyers: string[]) {
  return defineCampaign({
    id,
    name,
    intakeKeys: ['bench-key'],
    fields: [field.postalCode('zip', { required: true }), field.email('email', { required: true })],
    deliveries: [
      pingPost({ id: 'auction', pingFields: ['zip'], pingTimeoutMs: 500, deadlineMs: 5_000, minBid: 5, concurrency: 1000, breaker: false, buyers: buyers.map(benchBuyer) }),
    ],
  });
}
