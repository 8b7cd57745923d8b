import 'reflect-metadata';
import { DEFAULT_DATABASE_URL, migrate } from '@leadrelay/persistence';
import * as fs from 'node:fs';
import { checkCommand } from './check.command';
import { planCommand } from './plan.command';
import { classifyCommand, previewCommand } from './preview.command';

const USAGE = `leadrelay CLI
  check [dir]   validate every campaign file (default dir: campaigns), no database needed
  plan [dir]    what a deploy of the campaign files would change in DATABASE_URL, read-only (exit 0 none, 2 changes, 1 errors)
  migrate       create the database if missing and run pending migrations (DATABASE_URL)
  preview <campaign> <delivery> <lead.json | '{…}'>
                exactly the request a real-time delivery would send for a sample lead (nothing is sent)
  classify <campaign> <delivery> <response.json>
                how the delivery's classifier reads a saved buyer response { "status", "headers", "body" }`;

/** A JSON argument given inline or as a file. */
const jsonArg = (arg: string | undefined) => (arg && fs.existsSync(arg) ? fs.readFileSync(arg, 'utf8') : (arg ?? ''));
const dir = () => process.env.CAMPAIGNS_DIR ?? 'campaigns';

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'check':
      return checkCommand(args[0] ?? process.env.CAMPAIGNS_DIR ?? 'campaigns');
    case 'plan':
      return planCommand(args[0] ?? dir(), process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
    case 'preview':
      return previewCommand(dir(), args[0], args[1], jsonArg(args[2]), process.stdout, process.stderr);
    case 'classify':
      return classifyCommand(dir(), args[0], args[1], jsonArg(args[2]), process.stdout, process.stderr);
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
