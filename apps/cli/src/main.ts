import 'reflect-metadata';
import { DEFAULT_DATABASE_URL, migrate } from '@leadrelay/persistence';
import { checkCommand } from './check.command';

const USAGE = `leadrelay CLI
  check [dir]   validate every campaign file (default dir: campaigns), no database needed
  migrate       create the database if missing and run pending migrations (DATABASE_URL)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'check':
      return checkCommand(args[0] ?? process.env.CAMPAIGNS_DIR ?? 'campaigns');
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
