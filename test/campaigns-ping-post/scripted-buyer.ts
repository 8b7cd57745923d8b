import { env, json, leadconduit } from '@leadrelay/sdk';

/**
 * A buyer at its own test server (test/ping-post/ping-post.e2e-spec.ts): pinged at
 * `<PREFIX>_<ID>_PING` with the ping body given, answering `{ accepted, bid, token }`; posted the
 * token, the bid and the email at `<PREFIX>_<ID>_POST`, answering `{ result, error }`.
 */
export function scriptedBuyer(prefix: string, id: string, pingBody: string) {
  const name = `${prefix}_${id.toUpperCase()}`;
  return {
    id,
    ping: {
      url: env(`${name}_PING`, 'http://127.0.0.1:9/ping'),
      body: json(pingBody),
      classify: leadconduit({ outcome_search_term: 'true', outcome_search_path: 'accepted', price_path: 'bid', reference_path: 'token' }),
    },
    post: {
      url: env(`${name}_POST`, 'http://127.0.0.1:9/post'),
      body: json(`{"token": {{json ping.reference}}, "price": {{json ping.price}}, "email": {{json email}}}`),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'error' }),
    },
  };
}
