import type { ZodType } from 'zod';
import type { FieldDefinition } from './fields';
import type { ScheduleSpec } from './deliveries/schedule';
import type { BuyerResponse, Classification } from './classifier';

/** How a buyer's answer is read: accepted, refused for good, or worth trying again later. */
export type Outcome = 'delivered' | 'rejected' | 'retry';

/** A lead as plugins see it: normalised values only, never the raw submission. */
export interface LeadRecord {
  readonly id: string;
  readonly campaignId: string;
  readonly receivedAt: Date;
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
}

/** The campaign a delivery belongs to, as plugins see it. */
export interface CampaignInfo {
  readonly id: string;
  readonly name: string;
  readonly fields: readonly FieldDefinition[];
}

/** The request as it was sent, for the attempt log (the host redacts secrets before storing). */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The response as it was received (body cut at the delivery's limit). */
export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated?: boolean;
}

/** What one try of a dispatch (or of a batch) came to. */
export interface DeliveryResult {
  outcome: Outcome;
  reason?: string;
  price?: number;
  reference?: string;
  /** Named values the classifier read from the answer (`Classification.captured`), stored on the attempt and the dispatch. */
  captured?: Record<string, string>;
  /** A wish for the next try's delay (e.g. from `Retry-After`); the host bounds it. */
  retryAfterMs?: number;
  request?: RecordedRequest;
  response?: RecordedResponse;
  /** The transport error, when there was no response (time-out, refused, reset, DNS, TLS). */
  error?: string;
  /**
   * The delivery's configuration, not the buyer, is at fault (e.g. a template rendered a body that
   * does not parse): the host fails the dispatch instead of retrying it.
   */
  configError?: boolean;
}

/** When the host hands a delivery its dispatches. */
export type DeliveryMode =
  /** Each dispatch is delivered on its own as soon as its lead is accepted. */
  | { kind: 'realtime' }
  /** Pending dispatches are gathered into a batch on a schedule. */
  | { kind: 'scheduled'; schedule: ScheduleSpec }
  /** Pending dispatches wait until a person asks for them (manual delivery). */
  | { kind: 'on-demand' };

/** A problem in a delivery's options, found at load time; `path` is relative to the options. */
export interface OptionProblem {
  path: (string | number)[];
  message: string;
}

/** Thrown by `prepare` when options are valid by schema but cannot work (bad template, unknown field …). */
export class PluginConfigError extends Error {
  constructor(readonly problems: OptionProblem[]) {
    super(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; '));
    this.name = 'PluginConfigError';
  }
}

/** Writes leads as CSV/TSV: the project's one file writer, handed to plugins by the host. */
export interface FileFormatOptions {
  format: 'csv' | 'tsv';
  quote: 'needed' | 'all';
  header: boolean;
}

/** One column of a file: which lead value, under which heading. */
export interface FileColumn {
  header: string;
  /** A campaign field name, or `lead_id` / `received_at`. */
  source: string;
}

/** A batch's file, produced by the host from the batch's leads with the project's one writer. */
export interface BatchFile {
  fileName: string;
  contentType: string;
  /** A fresh stream of the file's bytes each call (the same bytes every time). */
  open(): NodeJS.ReadableStream;
  /** The file's size in bytes (may stream the file once to count). */
  byteLength(): Promise<number>;
}

/** One HTTP request, as a plugin asks the host's client to send it. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  /** Response bytes kept; the rest is dropped unread. */
  maxResponseBytes: number;
  followRedirects: boolean;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
  durationMs: number;
}

/**
 * A failure with no response: `timeout`, `refused`, `reset`, `dns`, `tls` or `network`; `blocked`
 * when the host would not send at all (BLOCK_PRIVATE_NETWORKS, a redirect from https to http),
 * which sending again cannot change.
 */
export class TransportError extends Error {
  constructor(readonly code: 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'network' | 'blocked', message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The host's HTTP client: one choice of client for the whole project (see README). */
export interface HttpClient {
  /** Resolves with any status; rejects only with `TransportError`. */
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** How a template's output is escaped: it must fit the body it produces. */
export type TemplateEscape = 'json' | 'xml' | 'html' | 'text' | 'url';

/** A template that did not compile, or referred to a variable that does not exist. */
export class TemplateError extends Error {
  constructor(message: string, readonly template: string, readonly line?: number, readonly column?: number) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
}

/** The host's one template renderer (handlebars, prototype access off). */
export interface TemplateEngine {
  /**
   * Compile once, at load time. Throws `TemplateError` when the source does not compile or uses a
   * variable not in `variables` (helpers and their arguments aside).
   */
  compile(source: string, options: { name: string; escape: TemplateEscape; variables: readonly string[] }): CompiledTemplate;
  /** Checks a rendered JSON or XML body parses; the error names the template, line and column. */
  checkBody(kind: 'json' | 'xml', body: string, templateName: string): TemplateError | null;
}

/** One email message. Attachment content is a stream so a big batch never sits in memory. */
export interface MailMessage {
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  text?: string;
  html?: string;
  attachments?: { filename: string; contentType: string; content: NodeJS.ReadableStream | Buffer | string }[];
  headers?: Record<string, string>;
}

/** What the mail server said when it accepted a message. */
export interface MailReceipt {
  messageId: string;
  response: string;
}

/** An SMTP failure: `transient` (connection, 4xx) is worth retrying; `permanent` (5xx) is not. */
export class MailError extends Error {
  constructor(readonly kind: 'transient' | 'permanent', message: string, readonly responseCode?: number) {
    super(message);
    this.name = 'MailError';
  }
}

/** The host's mail transport: SMTP from `SMTP_URL`, or `.eml` files in `var/outbox/`. */
export interface MailTransport {
  /** Rejects only with `MailError`. `smtpUrl` overrides the host's default transport. */
  send(message: MailMessage, smtpUrl?: string): Promise<MailReceipt>;
}

/** Everything a plugin needs from outside, handed over by the host. */
export interface PluginTools {
  readonly http: HttpClient;
  readonly templates: TemplateEngine;
  readonly mail: MailTransport;
  readonly clock: { now(): Date };
  readonly logger: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

export interface DeliverInput<O, P> {
  readonly dispatchId: string;
  /** The delivery's id in its campaign. */
  readonly deliveryId: string;
  /** 1 for the first try. */
  readonly attempt: number;
  readonly lead: LeadRecord;
  readonly campaign: CampaignInfo;
  readonly options: O;
  readonly prepared: P;
  /** For plugins with `fileOptions` (e.g. real-time email): the lead as a one-row file. */
  readonly file?: BatchFile;
  /**
   * Values the host adds for templates, beside the lead's (e.g. `ping` for a ping-post sale's
   * post: `{ reference, price }`). Only names `prepare` was given as `extraVariables`.
   */
  readonly templateValues?: Readonly<Record<string, unknown>>;
}

/** What the host tells `prepare` besides the options and the campaign. */
export interface PrepareContext {
  /**
   * Template variables the host will give `deliver` in `templateValues`, allowed beside the
   * campaign's fields (e.g. `['ping']` for a ping-post sale's post).
   */
  readonly extraVariables?: readonly string[];
}

export interface DeliverBatchInput<O, P> {
  readonly batchId: string;
  /** The delivery's id in its campaign. */
  readonly deliveryId: string;
  readonly attempt: number;
  readonly leadCount: number;
  readonly campaign: CampaignInfo;
  readonly options: O;
  readonly prepared: P;
  readonly file: BatchFile;
  /** When the batch was made (its tick), for subjects and file names. */
  readonly createdAt: Date;
}

/**
 * The delivery-plugin contract. Built-in plugins and the ones professional services add are
 * written against exactly this. The host owns the database, queues, retries, attempt records and
 * schedules; a plugin turns options and a lead (or a batch file) into one transmission.
 */
export interface DeliveryPlugin<O = any, P = unknown> {
  /** The name campaign files use, e.g. `http-post`. */
  readonly name: string;
  /** Validates the options at load time; also the source of their TypeScript type. */
  readonly optionsSchema: ZodType<O>;
  /** Whether dispatches go out one by one, on a schedule, or on request. */
  mode(options: O): DeliveryMode;
  /** The file a batch of this delivery produces (manual-file, email). */
  fileOptions?(options: O, campaign: CampaignInfo): FileFormatOptions & { columns: FileColumn[]; fileName: string; formulaGuard: boolean };
  /** Work done once at load: compile templates, check field names. Throw `PluginConfigError`. */
  prepare?(options: O, campaign: CampaignInfo, tools: PluginTools, context?: PrepareContext): P;
  /** Deliver one dispatch. Never throws for buyer or network trouble: return an outcome. */
  deliver?(input: DeliverInput<O, P>, tools: PluginTools): Promise<DeliveryResult>;
  /** Deliver a batch (e.g. one email with the file attached). */
  deliverBatch?(input: DeliverBatchInput<O, P>, tools: PluginTools): Promise<DeliveryResult>;
  /** One line for the admin API and console, e.g. `POST https://…`. */
  summary?(options: O): string;
  /**
   * Optional, for `cli preview`: what one sample lead would produce — a request, a message, a
   * file — without sending anything. Without it the CLI says the plugin does not support preview.
   */
  preview?(input: PreviewInput<O, P>, tools: PluginTools): Promise<DeliveryPreview>;
  /**
   * Optional, for `cli classify`: how this delivery reads a buyer's saved response. Only plugins
   * that read a buyer's answer have it.
   */
  classify?(options: O, response: BuyerResponse): Classification;
  /**
   * Optional, for `cli send`: the options pointed at the buyer's test endpoint (http-post: `testUrl`
   * in place of `url`), or undefined when the delivery has none (then only `--live` sends, to the
   * real endpoint). Only real-time plugins that send one request per lead have it: the CLI prepares
   * these options like a load and sends one sample lead through `deliver`, so a test lead is built
   * exactly like a real one.
   */
  testOptions?(options: O): O | undefined;
  /**
   * What campaign files get from `import { … } from '@leadrelay/plugins/<name>'`: the plugin's
   * campaign helpers (e.g. `{ sftp }`). The host's campaign loader admits that import for
   * installed plugins only.
   */
  readonly campaignExports?: Readonly<Record<string, unknown>>;
}

export interface PreviewInput<O, P> {
  /** A sample dispatch id, in place of the one a real dispatch would have. */
  readonly dispatchId: string;
  readonly deliveryId: string;
  /** A sample lead, normalised like intake does. */
  readonly lead: LeadRecord;
  readonly campaign: CampaignInfo;
  readonly options: O;
  readonly prepared: P;
  /** For plugins with `fileOptions`: the sample lead as a one-row file. */
  readonly file?: BatchFile;
}

/** What a delivery would do with one lead (nothing was sent). */
export interface DeliveryPreview {
  /** One line, e.g. `POST https://buyer.example/leads` or `upload to sftp://host/incoming/x.csv`. */
  summary: string;
  /** The request or message as it would go out (the CLI masks secret headers). */
  request?: RecordedRequest;
  /** The file the lead would travel in. */
  file?: BatchFile;
}
