import 'reflect-metadata';
import { ConfigError } from '@leadrelay/config';
import { CampaignProblems, startServer } from './bootstrap';

startServer().then(({ config, url, logger }) => {
  // Once, in plain text, on stderr: the JSON log (stdout) is shipped and kept, and never holds a token.
  if (config.generatedAdminToken) {
    logger.warn('ADMIN_TOKENS is not set: an admin token was generated for this run and printed on stderr');
    process.stderr.write(`\nleadrelay is serving ${url} (console: ${url}/console)\nADMIN_TOKENS is not set; admin token for this run: ${config.generatedAdminToken}\n\n`);
  }
}, (err) => {
  if (err instanceof CampaignProblems) {
    for (const problem of err.problems) process.stderr.write(`${problem}\n`);
    process.stderr.write(`\nleadrelay did not start: ${err.problems.length} problem(s) in campaign files.\n`);
  } else if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`leadrelay did not start: ${err?.stack ?? err}\n`);
  }
  process.exit(1);
});
