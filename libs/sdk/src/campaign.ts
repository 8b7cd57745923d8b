import { z } from 'zod';
import type { EnvRef } from './env';
import type { Duration } from './deliveries/buyer-contract';
import { duration } from './deliveries/buyer-contract.schema';
import { secretable, type DeliveryDefinition } from './deliveries/delivery';
import { deliverySettingsSchema } from './deliveries/delivery-settings';
import { auctionSchema } from './deliveries/ping-post.options';
import { FIELD_TYPES, type FieldDefinition } from './fields';

/**
 * A campaign: one buyer set-up, one file `campaigns/<id>.campaign.ts`. `F` is the declared field
 * names: a delivery naming any other field is a type error (docs/campaigns.md, "Field names").
 */
export interface CampaignDefinition<F extends string = string> {
  /** Slug; must equal the file name (`solar-tx` for `solar-tx.campaign.ts`). */
  id: string;
  /** Shown in the console. */
  name: string;
  /** Keys lead sources send as `X-Api-Key`; keep them in `env()`. */
  intakeKeys: (string | EnvRef)[];
  /** The lead's attributes, in the order files list them. */
  fields: FieldDefinition<F>[];
  deliveries: DeliveryDefinition<any, NoInfer<F>>[];
  /**
   * How long the host keeps a lead's personal data. Past it, a scheduled job erases the lead's
   * values, its raw submission and the request and response bodies of its sends; the lead's row,
   * its statuses, reasons and counts stay (docs/campaigns.md › Retention).
   * @default the server's `RETENTION` setting; when that is unset too, leads are kept forever
   * @example '90d'
   */
  retention?: Duration;
  /**
   * What the campaign keeps of a buyer's bid when it answers an inbound ping: the price quoted to
   * the source is the best bid less this, never below 0, rounded to cents (docs/api.md › Pings).
   * @default none: the source is quoted the best bid
   * @example { percent: 25 }
   */
  margin?: Margin;
}

/** A campaign's margin on an inbound ping's price: a share of the best bid (0–100) or a fixed amount (≥ 0). */
export type Margin = { percent: number } | { fixed: number };

/** Identity, for types: `export default defineCampaign({...})`; infers the field names. */
export function defineCampaign<const F extends string>(campaign: CampaignDefinition<F>): CampaignDefinition<F> {
  return campaign;
}

const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be a slug: lower-case letters, digits and dashes');
const RESERVED = new Set(['lead_id', 'received_at']);

export const fieldSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower snake case (letters, digits, underscores)')
      .refine((n) => !RESERVED.has(n), { message: 'is reserved for file columns' }),
    type: z.string().refine((t) => t in FIELD_TYPES, { message: `unknown field type (known: ${Object.keys(FIELD_TYPES).join(', ')})` }),
    required: z.boolean(),
    description: z.string().optional(),
  })
  .strict();

/** The campaign's own shape; each delivery's options are checked against its plugin's schema separately. */
export const campaignSchema = z
  .object({
    id: slug,
    name: z.string().min(1),
    intakeKeys: z.array(secretable).min(1),
    fields: z.array(fieldSchema).min(1),
    deliveries: z.array(
      z
        .object({
          id: slug,
          plugin: z.string().min(1),
          options: z.record(z.string(), z.unknown()),
          settings: deliverySettingsSchema.default({}),
          auction: auctionSchema.optional(),
        })
        .strict(),
    ),
    retention: duration.optional(),
    margin: z
      .object({
        percent: z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').optional(),
        fixed: z.number().min(0, 'must be 0 or more').optional(),
      })
      .strict()
      .refine((m) => (m.percent === undefined) !== (m.fixed === undefined), { message: 'must be either { percent } or { fixed }' })
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.fields.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `duplicate field '${f.name}'` });
      seen.add(f.name);
    });
    const ids = new Set<string>();
    c.deliveries.forEach((d, i) => {
      if (ids.has(d.id)) ctx.addIssue({ code: 'custom', path: ['deliveries', i, 'id'], message: `duplicate delivery id '${d.id}'` });
      ids.add(d.id);
    });
  });
