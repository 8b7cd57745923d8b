import { z } from 'zod';
import type { Outcome } from '../plugin-contract';

/**
 * A buyer's answer recorded once and kept as a regression test: `campaigns:check` reads it with
 * the delivery's classifier and fails, naming the example, when what it finds differs from
 * `expect` (docs/campaigns.md › Recorded answers).
 */
export interface ResponseExample {
  /** Named in the check's message. @example 'duplicate' */
  name: string;
  /**
   * The answer: its body written out, or a file beside the campaign file (read as UTF-8).
   * @example { status: 200, headers: { 'content-type': 'text/xml' }, body: '<result>dup</result>' }
   * @example { file: 'fixtures/acme-dup.xml', status: 200, headers: { 'content-type': 'text/xml' } }
   */
  response: { status?: number; headers?: Record<string, string> } & ({ body: string } | { file: string });
  /** What the classifier must find; `reason`, `price` and `reference` are compared only when given. */
  expect: { outcome: Outcome; reason?: string; price?: number; reference?: string };
}

const answer = { status: z.number().int().min(100).max(599).default(200), headers: z.record(z.string(), z.string()).default({}) };

export const responseExampleSchema = z
  .object({
    name: z.string().min(1),
    response: z.union([z.object({ ...answer, body: z.string() }).strict(), z.object({ ...answer, file: z.string().min(1) }).strict()]),
    expect: z
      .object({ outcome: z.enum(['delivered', 'rejected', 'retry']), reason: z.string().optional(), price: z.number().optional(), reference: z.string().optional() })
      .strict(),
  })
  .strict();

export const responseExamplesSchema = z.array(responseExampleSchema).superRefine((examples, ctx) => {
  const seen = new Set<string>();
  examples.forEach((e, i) => {
    if (seen.has(e.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate example name '${e.name}'` });
    seen.add(e.name);
  });
});
