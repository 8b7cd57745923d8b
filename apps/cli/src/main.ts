import 'reflect-metadata';
import { DEFAULT_DATABASE_URL, migrate } from '@leadrelay/persistence';
import * as fs from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkCommand } from './check.command';
import { importCommand } from './import.command';
import { planCommand } from './plan.command';
import { classifyCommand, previewCommand } from './preview.command';
import { sendCommand } from './send.command';

const USAGE = `leadrelay CLI
  check [dir] [--allow-missing-env]
                validate and type-check every campaign file (default dir: campaigns) and run their
                recorded buyer answers, no database needed; --allow-missing-env: unset variables warn
  plan [dir]    what a deploy of the campaign files would change in DATABASE_URL, read-only (exit 0 none, 2 changes, 1 errors)
  migrate       create the database if missing and run pending migrations (DATABASE_URL)
  preview <campaign> <delivery> <lead.json | '{…}'>
                exactly the request a real-time delivery would send for a sample lead (nothing is sent)
  classify <campaign> <delivery> <response.json>
                how the delivery's classifier reads a saved buyer response { "status", "headers", "body" }
  classify <campaign> <delivery> <body file | -> [--status <n>] [--content-type <type>]
                the same for the body exactly as the buyer sent it (status defaults to 200)
  send <campaign> <delivery> <lead.json | '{…}' | -> [--live] [--show-secrets]
                sends a sample lead to the delivery's testUrl (--live: its real url) and prints the
                request, the response and the classification; nothing is stored
  import leadconduit <step.json | -> [--id <delivery id>]
                print an httpPost({...}) block made from a LeadConduit custom integration step`;

/** A JSON argument given inline, as a file, or `-` for stdin. */
const jsonArg = (arg: string | undefined) => (arg === '-' ? fs.readFileSync(0, 'utf8') : arg && fs.existsSync(arg) ? fs.readFileSync(arg, 'utf8') : (arg ?? ''));
/** A file argument (`-` for stdin), read as it is. */
const fileArg = (arg: string) => fs.readFileSync(arg === '-' ? 0 : arg, 'utf8');
const dir = () => process.env.CAMPAIGNS_DIR ?? 'campaigns';

/** A command's `--flags` and the arguments around them; an unknown flag throws (a usage error). */
const flags = <const O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) => parseArgs({ args, options, allowPositionals: true, strict: true });

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'check': {
      const { values, positionals } = flags(args, { 'allow-missing-env': { type: 'boolean' } });
      return checkCommand(positionals[0] ?? dir(), process.stdout, process.stderr, { allowMissingEnv: values['allow-missing-env'] });
    }
    case 'plan':
      return planCommand(args[0] ?? dir(), process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
    case 'preview':
      return previewCommand(dir(), args[0], args[1], jsonArg(args[2]), process.stdout, process.stderr);
    case 'classify': {
      const { values, positionals: [campaign, delivery, file] } = flags(args, { status: { type: 'string' }, 'content-type': { type: 'string' } });
      const raw = values.status !== undefined || values['content-type'] !== undefined ? { status: values.status, contentType: values['content-type'] } : undefined;
      if (raw && !file) throw new UsageError('classify with --status or --content-type needs the body file (or - for stdin)');
      if (raw && file !== '-' && !fs.existsSync(file)) throw new UsageError(`no such body file: ${file}`);
      return classifyCommand(dir(), campaign, delivery, raw ? fileArg(file) : jsonArg(file), process.stdout, process.stderr, raw);
    }
    case 'send': {
      const { values, positionals } = flags(args, { live: { type: 'boolean' }, 'show-secrets': { type: 'boolean' } });
      if (positionals.length !== 3) throw new UsageError('send takes <campaign> <delivery> <lead.json | JSON | ->');
      const [campaign, delivery, lead] = positionals;
      return sendCommand(dir(), campaign, delivery, jsonArg(lead), { live: values.live, showSecrets: values['show-secrets'] }, process.stdout, process.stderr);
    }
    case 'import':
      return importCommand(args, process.stdout, process.stderr);
    case 'migrate': {
      const ran = await migrate(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
      process.stdout.write(ran.length ? `ran ${ran.join(', ')}\n` : 'database is up to date\n');
      return 0;
    }
    default:
      process.stdout.write(`${USAGE}\n`);
      return command ? 2 : 0;
  }
}

/** A usage mistake (unknown flag, missing argument) says what is wrong, then the usage: exit 2. */
function usageMistake(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (!(err instanceof UsageError) && !(typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) return undefined;
  process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).catch((err) => usageMistake(err) ?? Promise.reject(err)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
