import { z } from 'zod';
import { isEnvRef, type EnvRef } from '../env';
import { DELIVERY_SETTING_KEYS, type DeliverySettings } from './delivery-settings';

/** One configured way a campaign's leads leave: a plugin, its options, and the host's settings. */
export interface DeliveryDefinition<O = Record<string, unknown>> {
  /** Unique in the campaign; a slug such as `acme-crm`. */
  readonly id: string;
  /** The plugin's name, e.g. `http-post`. */
  readonly plugin: string;
  /** The plugin's own options, checked against its schema. */
  readonly options: O;
  /** What the host does with the delivery (retries, empty batches): the plugin never sees them. */
  readonly settings: DeliverySettings;
}

/**
 * Declares a delivery for any installed plugin: the host's settings (`retry`, `sendEmpty`) are
 * taken out, the rest are the plugin's options. The built-in plugins have typed shortcuts
 * (`httpPost`, `email`, `manualFile`); a plugin exports its own from its folder.
 *
 * @example delivery('sftp', { id: 'nightly-sftp', host: 'sftp.acme.example', retry: { attempts: 3 } })
 */
export function delivery<O extends { id: string } & DeliverySettings>(
  plugin: string,
  options: O,
): DeliveryDefinition<Omit<O, 'id' | keyof DeliverySettings>> {
  const { id, ...rest } = options as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  for (const key of DELIVERY_SETTING_KEYS) {
    if (rest[key] !== undefined) settings[key] = rest[key];
    delete rest[key];
  }
  return { id: id as string, plugin, options: rest as Omit<O, 'id' | keyof DeliverySettings>, settings };
}

/** A string, or an `env()` reference resolved when the campaign is applied. */
export const secretable = z.union([z.string(), z.custom<EnvRef>(isEnvRef, { message: 'expected a string or env()' })]);

export const fieldList = z.array(z.string().min(1)).min(1).optional();
export const fieldMapping = z.record(z.string(), z.string().min(1)).optional();
