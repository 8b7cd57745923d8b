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
}

export type ClassifierFunction = (response: BuyerResponse) => Outcome | Classification;

/** LeadConduit custom-integration response options, same names and meaning (see docs/campaigns.md). */
export interface LeadConduitOptions {
  outcome_search_term?: string;
  outcome_search_path?: string;
  outcome_on_match?: 'success' | 'failure' | 'error';
  reason_path?: string;
  default_reason?: string;
  price_path?: string;
  fallback_price?: number | string;
  reference_path?: string;
  response_content_type_override?: string;
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
