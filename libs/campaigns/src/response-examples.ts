import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResponseExample } from '@leadrelay/sdk';
import type { Classification, DeliveryPlugin, OptionProblem } from '@leadrelay/sdk/plugin';

const COMPARED = ['outcome', 'reason', 'price', 'reference'] as const;

/**
 * Runs each recorded answer through the delivery's classifier (the plugin's `classify` hook) and
 * names every example whose reading differs from its `expect`, with both readings
 * (docs/campaigns.md › Recorded answers). Files are read relative to the campaign file's folder.
 */
export function exampleProblems(plugin: DeliveryPlugin, options: unknown, examples: readonly ResponseExample[], campaignDir: string): OptionProblem[] {
  if (examples.length === 0) return [];
  if (!plugin.classify) return [{ path: ['examples'], message: `plugin '${plugin.name}' reads no buyer answer: there is nothing for examples to check` }];
  const problems: OptionProblem[] = [];
  examples.forEach((example, i) => {
    const at = ['examples', i];
    const body = bodyOf(example.response, campaignDir);
    if (body.text === undefined) {
      problems.push({ path: [...at, 'response', 'file'], message: body.error });
      return;
    }
    const headers = Object.fromEntries(Object.entries(example.response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const found = plugin.classify!(options, { status: example.response.status ?? 200, headers, body: body.text });
    const differs = COMPARED.filter((key) => example.expect[key] !== undefined && example.expect[key] !== found[key]);
    if (differs.length > 0) {
      problems.push({ path: at, message: `example '${example.name}': expected ${reading(example.expect, differs)}, the classifier found ${reading(found, differs)}` });
    }
  });
  return problems;
}

function bodyOf(response: ResponseExample['response'], dir: string): { text: string; error?: undefined } | { text?: undefined; error: string } {
  if ('body' in response) return { text: response.body };
  const file = path.resolve(dir, response.file);
  try {
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (e) {
    return { error: `cannot read '${response.file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
}

/** `rejected (reason 'Duplicate')`: the outcome, and the other compared values that differ. */
function reading(c: Partial<Classification>, differs: readonly (typeof COMPARED)[number][]): string {
  const details = differs.filter((k) => k !== 'outcome').map((k) => `${k} ${c[k] === undefined ? 'none' : JSON.stringify(c[k])}`);
  return `${c.outcome ?? '?'}${details.length ? ` (${details.join(', ')})` : ''}`;
}
