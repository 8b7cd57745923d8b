import { z } from 'zod';
import type { EnvRef } from '../env';
import { classifierSchema, leadconduit, type Classifier } from '../classifier';
import { delivery, fieldList, fieldMapping, secretable, type DeliveryDefinition, type FieldRefs } from './delivery';
import type { DeliverySettings } from './delivery-settings';
import type { OptionsMatch } from './options-match';

/** How the request body is produced. */
export type BodyTemplate =
  | { kind: 'form' }
  | { kind: 'json'; template: string }
  | { kind: 'xml'; template: string }
  | { kind: 'text'; template: string; contentType: string };

/** Form-encoded body of the mapped fields (the default). */
export function form(): BodyTemplate {
  return { kind: 'form' };
}
/** A handlebars template producing JSON; `{{json value}}` writes a JSON string, and plain `{{value}}` is JSON-escaped. */
export function json(template: string): BodyTemplate {
  return { kind: 'json', template };
}
/** A handlebars template producing XML; values are XML-escaped. */
export function xml(template: string): BodyTemplate {
  return { kind: 'xml', template };
}
/** A handlebars template producing any text body with the given content type. */
export function text(template: string, contentType = 'text/plain; charset=utf-8'): BodyTemplate {
  return { kind: 'text', template, contentType };
}

export type Auth = { kind: 'basic'; username: string | EnvRef; password: string | EnvRef } | { kind: 'bearer'; token: string | EnvRef };

/** HTTP basic authentication; keep the password in `env()`. */
export function basic(username: string | EnvRef, password: string | EnvRef): Auth {
  return { kind: 'basic', username, password };
}
/** `Authorization: Bearer <token>`; keep the token in `env()`. */
export function bearer(token: string | EnvRef): Auth {
  return { kind: 'bearer', token };
}

export const httpPostOptionsSchema = z
  .object({
    url: secretable,
    testUrl: secretable.optional(),
    method: z.enum(['POST', 'PUT', 'PATCH', 'GET']).default('POST'),
    fields: fieldList,
    mapping: fieldMapping,
    body: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('form') }),
        z.object({ kind: z.literal('json'), template: z.string() }),
        z.object({ kind: z.literal('xml'), template: z.string() }),
        z.object({ kind: z.literal('text'), template: z.string(), contentType: z.string() }),
      ])
      .default({ kind: 'form' }),
    headers: z.record(z.string(), secretable).default({}),
    auth: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('basic'), username: secretable, password: secretable }),
        z.object({ kind: z.literal('bearer'), token: secretable }),
      ])
      .optional(),
    timeoutMs: z.number().int().min(1).max(120_000).default(10_000),
    maxResponseBytes: z.number().int().min(1).default(1_048_576),
    followRedirects: z.boolean().default(false),
    classify: classifierSchema.default(leadconduit()),
    signing: z.object({ secret: secretable }).strict().optional(),
  })
  .strict();

export interface HttpPostOptions<F extends string = string> {
  /** Unique in the campaign. @example 'acme-crm' */
  id: string;
  /** The buyer's posting URL; query values may be templated (`?src={{source}}`) and are percent-encoded. @example env('ACME_POST_URL') */
  url: string | EnvRef;
  /**
   * The buyer's test (sandbox) endpoint, written and checked like `url`. Only `cli send` uses it:
   * a test lead goes there, built exactly like a real one; real dispatches always go to `url`.
   * Without it, `cli send` needs `--live` to post to `url`. See docs/campaigns.md › CLI.
   * @example 'https://sandbox.acme.example/leads'
   */
  testUrl?: string | EnvRef;
  /** @default 'POST' (GET sends the fields as the query string) */
  method?: 'POST' | 'PUT' | 'PATCH' | 'GET';
  /** Campaign fields sent. @default every campaign field */
  fields?: F[];
  /** Campaign field name → buyer's name. @default same names @example { zip: 'PostalCode' } */
  mapping?: Partial<Record<F, string>>;
  /** @default form() */
  body?: BodyTemplate;
  /** Extra headers; values may be `env()`. */
  headers?: Record<string, string | EnvRef>;
  /** `basic(user, pass)` or `bearer(token)`. */
  auth?: Auth;
  /** @default 10000 */
  timeoutMs?: number;
  /** Response bytes kept; the rest is dropped unread. @default 1048576 */
  maxResponseBytes?: number;
  /** @default false */
  followRedirects?: boolean;
  /**
   * How the response is read: `leadconduit({...})`, `rules([...])` or `classifyWith(fn)`.
   * Without it, only the status counts: 2xx delivered; 408, 425, 429, 5xx and transport errors
   * retry (Retry-After honoured); a 3xx (not followed), any other 4xx and odd statuses are rejected,
   * which is final, with the status and the Location or the body's start as reason
   * (`HTTP 404: Not Found`). `leadconduit()` keeps LeadConduit's reading: 5xx retry, everything
   * else parsed like a 200. See docs/campaigns.md › Classifiers.
   * @default the status-only reading above
   * @example classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'error' })
   */
  classify?: Classifier;
  /** Sign each request Standard-Webhooks style (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  signing?: { secret: string | EnvRef };
}

/** Real-time HTTP/HTTPS delivery, the recommended method. */
export function httpPost<const F extends string = never>(
  options: HttpPostOptions<F> & Omit<DeliverySettings<F>, 'sendEmpty'>,
): DeliveryDefinition<Omit<HttpPostOptions, 'id'>, FieldRefs<F>> {
  return delivery('http-post', options) as DeliveryDefinition<Omit<HttpPostOptions, 'id'>, FieldRefs<F>>;
}

// The documented type and the schema cannot drift apart: this line stops compiling if they do.
// (`mapping` compared as the schema reads it: a record, whatever names it holds.)
const documented: OptionsMatch<Omit<HttpPostOptions, 'id' | 'mapping'> & { mapping?: Record<string, string> }, z.input<typeof httpPostOptionsSchema>> = true;
void documented;
