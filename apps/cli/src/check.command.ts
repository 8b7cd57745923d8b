import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CampaignLoader, CampaignProblems } from '@leadrelay/campaigns';
import { createLogger } from '@leadrelay/config';
import { CliModule } from './cli.module';

/** `campaigns:check`: the same validation as a deploy, without a database. Exit 1 on any problem. */
export async function checkCommand(dir: string, out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  const logger = createLogger('silent');
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(logger), { logger: false });
  try {
    const campaigns = app.get(CampaignLoader).loadAll(path.resolve(dir));
    for (const c of campaigns) {
      out.write(`✓ ${path.relative(process.cwd(), c.file)}  ${c.id}@${c.version}  ${c.deliveries.map((d) => `${d.id} (${d.summary})`).join(', ')}\n`);
    }
    out.write(`${campaigns.length} campaign(s) valid.\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof CampaignProblems)) throw e;
    for (const problem of e.problems) err.write(`${problem}\n`);
    err.write(`\n${e.problems.length} problem(s) found.\n`);
    return 1;
  } finally {
    await app.close();
  }
}
