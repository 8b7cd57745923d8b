/**
 * A reference to an environment variable, resolved by the host when campaigns are applied.
 * Secrets (API keys, passwords, URLs with tokens) never live in campaign files: they are named here.
 *
 * @example intakeKeys: [env('SOLAR_TX_SOURCE_KEY')]
 */
export interface EnvRef {
  readonly kind: 'env';
  readonly name: string;
  /** Used when the variable is unset; for non-secrets and demos only (it is in git). */
  readonly fallback?: string;
}

/**
 * @param name the environment variable
 * @param fallback used when it is unset — never put a real secret here
 * @example env('ACME_POST_URL')
 * @example env('DEMO_BUYER_URL', 'http://127.0.0.1:3000/demo-buyer/leads')
 */
export function env(name: string, fallback?: string): EnvRef {
  return fallback === undefined ? { kind: 'env', name } : { kind: 'env', name, fallback };
}

export function isEnvRef(value: unknown): value is EnvRef {
  return typeof value === 'object' && value !== null && (value as EnvRef).kind === 'env' && typeof (value as EnvRef).name === 'string';
}

/** A string given literally or through `env()`. */
export type Secretable = string | EnvRef;
