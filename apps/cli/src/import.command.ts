import * as fs from 'node:fs';
import { importLeadConduit } from './leadconduit.importer';

const USAGE = 'usage: import leadconduit <step.json | -> [--id <delivery id>]';

/**
 * `import leadconduit <step.json>`: prints an `httpPost({...})` block for a campaign file made from
 * a LeadConduit custom integration step (docs/campaigns.md › import leadconduit). Writes no file:
 * the block is read, then pasted. Bad input prints every problem and nothing on stdout (exit 1).
 */
export function importCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, stdin: () => string = () => fs.readFileSync(0, 'utf8')): number {
  const [kind, file, ...rest] = args;
  if (kind !== 'leadconduit' || !file) {
    err.write(`${kind && kind !== 'leadconduit' ? `Unknown importer '${kind}' (there is: leadconduit).\n` : ''}${USAGE}\n`);
    return 2;
  }
  const id = optionValue(rest, '--id');
  if (id === null || rest.some((a, i) => a !== '--id' && rest[i - 1] !== '--id')) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = file === '-' ? stdin() : fs.readFileSync(file, 'utf8');
  } catch (e) {
    err.write(`Cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  let step: unknown;
  try {
    step = JSON.parse(text);
  } catch (e) {
    err.write(`${file} is not JSON: ${(e as Error).message}\n`);
    return 1;
  }
  const result = importLeadConduit(step, { id });
  if ('problems' in result) {
    for (const problem of result.problems) err.write(`${file} › ${problem}\n`);
    return 1;
  }
  out.write(result.code);
  return 0;
}

/** `--id x` → 'x'; absent → undefined; given without a value → null. */
function optionValue(args: string[], name: string): string | undefined | null {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  return args[at + 1] && !args[at + 1].startsWith('--') ? args[at + 1] : null;
}
