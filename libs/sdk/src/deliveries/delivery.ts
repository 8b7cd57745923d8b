import { z } from 'zod';
import { isEnvRef, type EnvRef } from '../env';

/** One configured way a campaign's leads leave: a plugin and its options. */
export interface DeliveryDefinition<O = Record<string, unknown>> {
  /** Unique in the campaign; a slug such as `acme-crm`. */
  readonly id: string;
  /** The plugin's name, e.g. `http-post`. */
  readonly plugin: string;
  readonly options: O;
}

/**
 * Declares a delivery for any installed plugin. The built-in plugins have typed shortcuts
 * (`httpPost`, `email`, `manualFile`); a new plugin usually exports its own.
 *
 * @example delivery('sftp', { id: 'nightly-sftp', host: 'sftp.acme.example' })
 */
export function delivery<O extends { id: string }>(plugin: string, options: O): DeliveryDefinition<Omit<O, 'id'>> {
  const { id, ...rest } = options;
  return { id, plugin, options: rest };
}

/** A string, or an `env()` reference resolved when the campaign is applied. */
export const secretable = z.union([z.string(), z.custom<EnvRef>(isEnvRef, { message: 'expected a string or env()' })]);

export const fieldList = z.array(z.string().min(1)).min(1).optional();
export const fieldMapping = z.record(z.string(), z.string().min(1)).optional();
