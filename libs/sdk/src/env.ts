/**
 * A reference to an environment variable, resolved by the host when campaigns are applied.
 * Secrets (API keys, passwords, URLs with tokens) never live in campaign files: they are named here.
 *
 * @example intakeKeys: [env('SOLAR_TX_SOURCE_KEY')]
 */
export interface EnvRef {
  readonly kind: 'env';
  readonly name: string;
}

export function env(name: string): EnvRef {
  return { kind: 'env', name };
}

export function isEnvRef(value: unknown): value is EnvRef {
  return typeof value === 'object' && value !== null && (value as EnvRef).kind === 'env' && typeof (value as EnvRef).name === 'string';
}

/** A string given literally or through `env()`. */
export type Secretable = string | EnvRef;
