import { TransportError } from '@leadrelay/sdk/plugin';

type Code = TransportError['code'];

const BY_CODE: Record<string, Code> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  EPROTO: 'tls',
};

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_|HOSTNAME_MISMATCH)/;

/** Every error in the chain: undici wraps socket errors in `cause`, and connecting to a name with several addresses can fail with an AggregateError. */
function* chain(error: unknown, seen = new Set<unknown>()): Generator<{ code?: string; message?: string }> {
  if (!error || typeof error !== 'object' || seen.has(error)) return;
  seen.add(error);
  yield error as { code?: string; message?: string };
  const { cause, errors } = error as { cause?: unknown; errors?: unknown[] };
  yield* chain(cause, seen);
  for (const inner of errors ?? []) yield* chain(inner, seen);
}

function classify(error: unknown): Code {
  for (const e of chain(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && BY_CODE[code]) return BY_CODE[code];
    if (code && TLS_CODE.test(code)) return 'tls';
    const message = String(e.message ?? '');
    if (/other side closed|socket hang up/i.test(message)) return 'reset';
    if (/certificate|ssl|tls/i.test(message)) return 'tls';
  }
  return 'network';
}

/** Maps whatever undici or the socket threw to the contract's short codes, keeping the original message. */
export function toTransportError(error: unknown): TransportError {
  // Ours, thrown from inside undici (a connection private-network.policy.ts refused), possibly wrapped.
  for (const e of chain(error)) if (e instanceof TransportError) return e;
  const detail = [...chain(error)]
    .map((e) => (e.code && !String(e.message ?? '').includes(e.code) ? `${e.code} ${e.message ?? ''}`.trim() : String(e.message ?? '')))
    .filter(Boolean);
  const message = [...new Set(detail)].join(': ') || String(error);
  return new TransportError(classify(error), message);
}
