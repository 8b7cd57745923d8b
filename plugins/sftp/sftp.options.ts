import { z } from 'zod';
import { delivery, fieldList, fieldMapping, fileFormatSchema, quoteSchema, scheduleSchema, secretable, type DeliveryDefinition, type DeliverySettings, type EnvRef, type ScheduleSpec } from '@leadrelay/sdk/plugin';

export const sftpOptionsSchema = z
  .object({
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65_535).default(22),
    username: z.string().min(1),
    // Which of password / privateKey is given, and the shape of hostKey and path, are checked by
    // `prepare`, so that a campaign author sees those problems together with the field names'.
    password: secretable.optional(),
    privateKey: secretable.optional(),
    passphrase: secretable.optional(),
    hostKey: z.string().trim().min(1),
    path: z.string().trim().min(1),
    fileName: z.string().min(1).default('{{campaign}}-{{date}}-{{time}}-{{batch}}.{{ext}}'),
    schedule: scheduleSchema
      .refine((s) => s.kind !== 'realtime', {
        message: "an SFTP delivery uploads batches, it cannot be realtime: use every('1h'), at([...]) or cron('...'), or leave schedule out to upload on demand",
      })
      .optional(),
    format: fileFormatSchema.default('csv'),
    quote: quoteSchema.default('needed'),
    header: z.boolean().default(true),
    fields: fieldList,
    mapping: fieldMapping,
    formulaGuard: z.boolean().default(true),
    timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
  })
  .strict();

/** The SFTP delivery's options as the host hands them over: parsed, defaults applied, env() resolved. */
export type SftpPluginOptions = z.output<typeof sftpOptionsSchema>;

/** An SFTP delivery's options, as a campaign file writes them. */
export interface SftpOptions {
  /** The buyer's SFTP server. @example 'sftp.buyer.example' */
  host: string;
  /** @default 22 */
  port?: number;
  /** @example 'leads' */
  username: string;
  /** Give this or `privateKey`, never both. Name it, never write it: @example env('BUYER_SFTP_PASSWORD') */
  password?: string | EnvRef;
  /** A PEM private key (OpenSSH or PKCS#8 text); give this or `password`. @example env('BUYER_SFTP_KEY') */
  privateKey?: string | EnvRef;
  /** For an encrypted `privateKey`. @example env('BUYER_SFTP_KEY_PASSPHRASE') */
  passphrase?: string | EnvRef;
  /**
   * The server's host key fingerprint exactly as `ssh-keygen -l -E sha256 -f <key>.pub` (or
   * `ssh-keyscan host | ssh-keygen -lf -`) prints it. A server offering any other key is refused,
   * and the delivery fails instead of sending leads to an impostor.
   * @example 'SHA256:wC+FQHaBwq20URbkBnuiliiNwUl/Js8+SvPXpkzuKgQ'
   */
  hostKey: string;
  /** The remote folder, absolute; it must exist. @example '/incoming' */
  path: string;
  /**
   * `{{campaign}}`, `{{delivery}}`, `{{date}}` (UTC, YYYY-MM-DD), `{{time}}` (UTC, HHMMSS), `{{batch}}`, `{{ext}}`.
   * A file of the same name on the server is replaced.
   * @default '{{campaign}}-{{date}}-{{time}}-{{batch}}.{{ext}}'
   */
  fileName?: string;
  /**
   * When batches are uploaded: `every('1h')`, `at(['08:00'], 'America/Chicago')` or `cron('…', tz)`;
   * never `realtime`.
   * @default on demand: a person's manual delivery uploads the pending leads
   */
  schedule?: ScheduleSpec;
  /** @default 'csv' */
  format?: 'csv' | 'tsv';
  /** @default 'needed' */
  quote?: 'needed' | 'all';
  /** @default true */
  header?: boolean;
  /** @default every campaign field */
  fields?: string[];
  /** Campaign field name → column heading. @example { zip: 'PostalCode' } */
  mapping?: Record<string, string>;
  /** Write formula-leading values so spreadsheets show them as text. @default true */
  formulaGuard?: boolean;
  /** Connecting and logging in, and each step after (no byte moving for this long), may take this long. @default 30000 */
  timeoutMs?: number;
}

/**
 * Uploads batches to the buyer's SFTP server: a `.part` file first, renamed when complete, so the
 * buyer never picks up half a file. Host settings: `retry` (a server that is down, busy or slow is
 * tried again; a wrong host key, login or folder fails the batch at once) and `sendEmpty`.
 *
 * @example sftp({ id: 'nightly-sftp', host: 'sftp.buyer.example', username: 'leads', password: env('BUYER_SFTP_PASSWORD'),
 *   hostKey: 'SHA256:…', path: '/incoming', schedule: every('1h') })
 */
export const sftp = (options: { id: string } & DeliverySettings & SftpOptions): DeliveryDefinition<SftpOptions> => delivery('sftp', options);

// The documented type and the schema cannot drift apart: this stops compiling if they do (the
// SDK's OptionsMatch, which its door does not export).
type OptionsMatch<Documented, SchemaInput> = [Exclude<keyof Documented, keyof SchemaInput>, Exclude<keyof SchemaInput, keyof Documented>] extends [never, never]
  ? (Required<Documented> extends Required<SchemaInput> ? true : false)
  : false;
const documented: OptionsMatch<SftpOptions, z.input<typeof sftpOptionsSchema>> = true;
void documented;
