import { z } from 'zod';
import type { Outcome } from './plugin-contract';

/** The buyer's answer as a classifier sees it. `error` is set when there was no response. */
export interface BuyerResponse {
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** Transport failure: `timeout`, `refused`, `reset`, `dns`, `tls` or another short code. */
  error?: { code: string; message: string };
}

/** What a classifier concluded. */
export interface Classification {
  outcome: Outcome;
  reason?: string;
  price?: number;
  reference?: string;
  /**
   * Named values read from the answer (`leadconduit()`'s `capture` and `cookie_search_term`),
   * kept on the attempt and the dispatch. Absent when nothing was captured.
   */
  captured?: Record<string, string>;
}

export type ClassifierFunction = (response: BuyerResponse) => Outcome | Classification;

/**
 * LeadConduit custom-integration response options, every one of them, with the same names and
 * meaning, so a buyer's settings can be copied over (docs/campaigns.md › Classifiers).
 */
export interface LeadConduitOptions {
  /** Regular expression (`/…/flags` allowed), case-insensitive; when found the outcome is `outcome_on_match`. */
  outcome_search_term?: string;
  /** Where to search: a JSON dot path, an XPath for XML, a CSS selector for HTML. @default the whole body */
  outcome_search_path?: string;
  /** The outcome when the term is found; the opposite when it is not. @default 'success' */
  outcome_on_match?: 'success' | 'failure' | 'error';
  /** Where the reason is: dot path, XPath, CSS selector (` @attr` for an attribute), or a regex's first group for text. */
  reason_path?: string;
  /** The reason when none is found at `reason_path`. */
  default_reason?: string;
  /** Where the price is (like `reason_path`); the first value counts. */
  price_path?: string;
  /** The price when none is found at `price_path`. @default 0 */
  fallback_price?: number | string;
  /** Where the buyer's reference for the lead is (like `reason_path`); the first value counts. */
  reference_path?: string;
  /** Read the body as this content type instead of the answer's `Content-Type`. */
  response_content_type_override?: string;
  /**
   * LeadConduit's `capture.*`: named regular expressions (`/…/flags` allowed, case as written) run
   * against the response body as received; the first group, or the whole match when the expression
   * has none, is kept as `captured.<name>`.
   * @example capture: { order_id: 'Order #(\\d+)' }
   */
  capture?: Record<string, string>;
  /**
   * A regular expression (usually the cookie's name), case-insensitive, searched in the answer's
   * `Set-Cookie` headers; the first matching header, whole (`name=value; Path=/; …`), is kept as
   * `captured.cookie`.
   * @example cookie_search_term: 'PHPSESSID'
   */
  cookie_search_term?: string;
}

/** Where a rule takes the reason (or price, reference) from. */
export type ValueSource =
  | string
  | { json: string }
  | { xpath: string }
  | { header: string }
  | { body: RegExp | string };

/** One classifier rule: every condition given must hold; first matching rule wins. */
export interface ClassifierRule {
  /** A status code or an inclusive range, e.g. `[200, 299]`. */
  status?: number | [number, number];
  /** A header's value must match. */
  header?: { name: string; matches: RegExp | string };
  /** The body must match this regular expression. */
  body?: RegExp | string;
  /** The value at a JSON dot path must equal / match. */
  json?: { path: string; equals?: unknown; matches?: RegExp | string };
  /** The value of an XPath must equal / match. */
  xpath?: { path: string; equals?: string; matches?: RegExp | string };
  /** Transport error code: `timeout`, `refused`, `reset`, `dns`, `tls`, or `true` for any. */
  error?: true | string;
  outcome: Outcome;
  /** A fixed reason, or where to read it. */
  reason?: ValueSource;
  price?: ValueSource;
  reference?: ValueSource;
}

export type Classifier =
  | { kind: 'leadconduit'; options: LeadConduitOptions }
  | { kind: 'rules'; rules: ClassifierRule[]; default: Outcome; defaultReason?: string }
  | { kind: 'function'; fn: ClassifierFunction };

/**
 * LeadConduit-compatible response parsing: copy a buyer's settings from LeadConduit's custom integration.
 * @example classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'error' })
 */
export function leadconduit(options: LeadConduitOptions = {}): Classifier {
  return { kind: 'leadconduit', options };
}

/**
 * Ordered rules, first match wins, with a default outcome.
 * @example classify: rules([{ status: [500, 599], outcome: 'retry' }, { json: { path: 'ok', equals: true }, outcome: 'delivered' }], { default: 'rejected', reason: { json: 'error' } })
 */
export function rules(list: ClassifierRule[], options: { default?: Outcome; defaultReason?: string } = {}): Classifier {
  return { kind: 'rules', rules: list, default: options.default ?? 'rejected', defaultReason: options.defaultReason };
}

/** A plain function as classifier. */
export function classifyWith(fn: ClassifierFunction): Classifier {
  return { kind: 'function', fn };
}

const outcome = z.enum(['delivered', 'rejected', 'retry']);
/** Capture names become keys of `captured` in the API and the console: kept to plain words. */
const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const pattern = z.union([z.string(), z.instanceof(RegExp)]);
const extract = z.union([
  z.string(),
  z.object({ json: z.string() }),
  z.object({ xpath: z.string() }),
  z.object({ header: z.string() }),
  z.object({ body: pattern }),
]);

export const classifierSchema = z.union([
  z.object({
    kind: z.literal('leadconduit'),
    options: z
      .object({
        outcome_search_term: z.string().optional(),
        outcome_search_path: z.string().optional(),
        outcome_on_match: z.enum(['success', 'failure', 'error']).optional(),
        reason_path: z.string().optional(),
        default_reason: z.string().optional(),
        price_path: z.string().optional(),
        fallback_price: z.union([z.number(), z.string()]).optional(),
        reference_path: z.string().optional(),
        response_content_type_override: z.string().optional(),
        capture: z.record(z.string().regex(CAPTURE_NAME, 'a capture name is letters, digits, _, - and .'), z.string().min(1, 'an empty expression captures nothing')).optional(),
        cookie_search_term: z.string().optional(),
      })
      .strict(),
  }),
  z.object({
    kind: z.literal('rules'),
    rules: z.array(
      z
        .object({
          status: z.union([z.number().int(), z.tuple([z.number().int(), z.number().int()])]).optional(),
          header: z.object({ name: z.string(), matches: pattern }).optional(),
          body: pattern.optional(),
          json: z.object({ path: z.string(), equals: z.unknown().optional(), matches: pattern.optional() }).optional(),
          xpath: z.object({ path: z.string(), equals: z.string().optional(), matches: pattern.optional() }).optional(),
          error: z.union([z.literal(true), z.string()]).optional(),
          outcome,
          reason: extract.optional(),
          price: extract.optional(),
          reference: extract.optional(),
        })
        .strict(),
    ),
    default: outcome,
    defaultReason: z.string().optional(),
  }),
  z.object({ kind: z.literal('function'), fn: z.custom<ClassifierFunction>((v) => typeof v === 'function', 'expected a function') }),
]);
