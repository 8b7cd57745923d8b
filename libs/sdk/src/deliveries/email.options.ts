import { z } from 'zod';
import type { EnvRef } from '../env';
import { delivery, fieldList, secretable, type DeliveryDefinition, type FieldRefs } from './delivery';
import type { DeliverySettings } from './delivery-settings';
import type { OptionsMatch } from './options-match';
import { fileFormatSchema, quoteSchema } from './file-options';
import { scheduleSchema, type ScheduleSpec } from './schedule';

const address = z.string().trim().regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'is not a valid email address');

export const emailOptionsSchema = z
  .object({
    from: address,
    to: z.array(address).min(1),
    cc: z.array(address).default([]),
    bcc: z.array(address).default([]),
    subject: z.string().min(1),
    text: z.string().optional(),
    html: z.string().optional(),
    attachment: z
      .object({
        format: fileFormatSchema.default('csv'),
        header: z.boolean().default(true),
        quote: quoteSchema.default('needed'),
        fields: fieldList,
        fileName: z.string().min(1).default('{{campaign}}-{{date}}.{{ext}}'),
      })
      .strict()
      .default({ format: 'csv', header: true, quote: 'needed', fileName: '{{campaign}}-{{date}}.{{ext}}' }),
    zipOver: z.number().int().min(0).default(10 * 1024 * 1024),
    schedule: scheduleSchema,
    /** SMTP transport override for this delivery, e.g. `env('ACME_SMTP_URL')`. */
    smtpUrl: secretable.optional(),
  })
  .strict();

export interface EmailOptions<F extends string = string> {
  /** Unique in the campaign. */
  id: string;
  /** @example 'leads@leadrelay.example' */
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  /** Handlebars template: `{{campaign}}`, `{{count}}`, `{{date}}`, and in real time the lead's fields. */
  subject: string;
  /** Plain-text body template. */
  text?: string;
  /** HTML body template (values HTML-escaped). */
  html?: string;
  /** The attached file. @default CSV with a header row listing every campaign field */
  attachment?: {
    /** @default 'csv' */
    format?: 'csv' | 'tsv';
    /** @default true */
    header?: boolean;
    /** @default 'needed' */
    quote?: 'needed' | 'all';
    /** @default every campaign field */
    fields?: F[];
    /** @default '{{campaign}}-{{date}}.{{ext}}' */
    fileName?: string;
  };
  /** Zip the attachment when it would be larger than this many bytes. @default 10485760 */
  zipOver?: number;
  /** `realtime`, `every('15m')`, `at(['08:00'], 'America/Chicago')` or `cron('…', tz)`. */
  schedule: ScheduleSpec;
  /** SMTP transport for this delivery instead of the host's `SMTP_URL`. @example env('ACME_SMTP_URL') */
  smtpUrl?: string | EnvRef;
}

/**
 * Email delivery: one lead per message in real time, or scheduled batches with the file attached.
 * Host settings: `retry` (a message the mail server refused for now, 4xx or connection trouble,
 * is tried again; a 5xx refusal fails at once; batches default to 8 tries from 30 s, at most 1 h
 * apart) and `sendEmpty` (a "no new leads" message when a tick finds none).
 */
export function email<const F extends string = never>(options: EmailOptions<F> & DeliverySettings<F>): DeliveryDefinition<Omit<EmailOptions, 'id'>, FieldRefs<F>> {
  return delivery('email', options) as DeliveryDefinition<Omit<EmailOptions, 'id'>, FieldRefs<F>>;
}

// The documented type and the schema cannot drift apart: this line stops compiling if they do.
const documented: OptionsMatch<Omit<EmailOptions, 'id'>, z.input<typeof emailOptionsSchema>> = true;
void documented;
