import { z } from 'zod';
import { isEnvRef, type EnvRef } from '../env';
import { DELIVERY_SETTING_KEYS, type DeliverySettings } from './delivery-settings';
import type { AuctionDefinition } from './ping-post.options';

/**
 * One configured way a campaign's leads leave: a plugin, its options, and the host's settings.
 * `R`, for types only, is the campaign fields it names (its `fields`, `mapping`, `when`, `dedupe`):
 * `defineCampaign` accepts it only when they are all declared (docs/campaigns.md, "Field names").
 */
export interface DeliveryDefinition<O = Record<string, unknown>, R extends string = never> {
  /** Unique in the campaign; a slug such as `acme-crm`. */
  readonly id: string;
  /** The plugin's name, e.g. `http-post`. */
  readonly plugin: string;
  /** The plugin's own options, checked against its schema. */
  readonly options: O;
  /** What the host does with the delivery (retries, empty batches): the plugin never sees them. */
  readonly settings: DeliverySettings;
  /** Never set: carries `R` for the type checker. */
  readonly fieldRefs?: readonly R[];
  /** `pingPost` only: the sale the host runs in place of one plugin call (docs/campaigns.md › Ping-post). */
  readonly auction?: AuctionDefinition;
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

/** The field names a delivery names, for `defineCampaign` to check; none when they are only known as `string`. */
export type FieldRefs<F extends string> = string extends F ? never : F;

export const fieldList = z.array(z.string().min(1)).min(1).optional();
export const fieldMapping = z.record(z.string(), z.string().min(1)).optional();
