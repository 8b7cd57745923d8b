import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CampaignLoader, CampaignProblems, listCampaignFiles, typeCheckCampaignFiles, type ResolvedCampaign } from '@leadrelay/campaigns';
import { createLogger } from '@leadrelay/config';
import { CliModule } from './cli.module';

export interface CheckOptions {
  /** Unset `env()` variables are warnings, for CI without the secrets. */
  allowMissingEnv?: boolean;
}

/**
 * `campaigns:check`: the same validation as a deploy, without a database, plus TypeScript's
 * diagnostics of the campaign files — every problem of every file in one run
 * (docs/campaigns.md › Checking campaign files). Exit 1 on any problem.
 */
export async function checkCommand(
  dir: string,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  options: CheckOptions = {},
): Promise<number> {
  const folder = path.resolve(dir);
  const logger = createLogger('silent');
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(logger), { logger: false });
  const problems: string[] = [];
  let campaigns: ResolvedCampaign[] = [];
  try {
    campaigns = app.get(CampaignLoader).loadAll(folder, process.env, { allowMissingEnv: options.allowMissingEnv, warn: (w) => err.write(`warning: ${w}\n`) });
  } catch (e) {
    if (!(e instanceof CampaignProblems)) throw e;
    problems.push(...e.problems);
  } finally {
    await app.close();
  }
  problems.push(...typeCheckCampaignFiles(listCampaignFiles(folder), folder));
  if (problems.length > 0) {
    for (const problem of problems) err.write(`${problem}\n`);
    err.write(`\n${problems.length} problem(s) found.\n`);
    return 1;
  }
  for (const c of campaigns) {
    out.write(`✓ ${path.relative(process.cwd(), c.file)}  ${c.id}@${c.version}  ${c.deliveries.map((d) => `${d.id} (${d.summary})`).join(', ')}\n`);
  }
  out.write(`${campaigns.length} campaign(s) valid.\n`);
  return 0;
}
