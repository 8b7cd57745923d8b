import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { campaignsToArchive, LOGGER, needsUpdate, storedDefinition, type ResolvedCampaign } from '@leadrelay/campaigns';
import { Campaign } from '@leadrelay/persistence';
import { campaignSources, gitDirty } from './campaign.sources';

/** The git commit of the campaign files, when they live in a git work tree. */
export function gitCommit(dir: string): string | undefined {
  if (process.env.GIT_COMMIT) return process.env.GIT_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface ApplyResult {
  created: string[];
  changed: string[];
  unchanged: string[];
  archived: string[];
}

/** Makes the database match the campaign files: upsert, record versions, archive the removed. */
@Injectable()
export class CampaignApplier {
  constructor(
    private readonly em: EntityManager,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async apply(campaigns: ResolvedCampaign[], commit?: string): Promise<ApplyResult> {
    const result: ApplyResult = { created: [], changed: [], unchanged: [], archived: [] };
    await this.em.fork().transactional(async (em) => {
      // One deploy at a time: instances starting together apply the same files in turn.
      // Raw statements must run on the transaction's own connection, hence its context.
      const run = (sql: string, params: unknown[] = []) => em.getConnection().execute(sql, params, 'run', em.getTransactionContext());
      await run('select pg_advisory_xact_lock(7262002)');
      const existing = new Map((await em.find(Campaign, {})).map((c) => [c.id, c]));
      for (const c of campaigns) {
        const definition = storedDefinition(c);
        const row = existing.get(c.id);
        if (!row) {
          em.persist(em.create(Campaign, { id: c.id, name: c.name, version: c.version, definition, archived: false, createdAt: new Date(), updatedAt: new Date() }));
          result.created.push(c.id);
        } else if (needsUpdate(row, c)) {
          Object.assign(row, { name: c.name, version: c.version, definition, archived: false, updatedAt: new Date() });
          result.changed.push(c.id);
        } else {
          result.unchanged.push(c.id);
        }
        await em.flush();
        // The version keeps its sources, so that it can run again once its file is gone, and
        // says whether the files were committed as `commit` has them.
        const sources = campaignSources(c.file);
        const dirty = commit ? gitDirty(path.dirname(c.file), Object.keys(sources)) : undefined;
        await run(
          `insert into campaign_version (campaign_id, hash, git_commit, definition, sources, dirty) values (?, ?, ?, ?, ?, ?)
           on conflict (campaign_id, hash) do update set sources = coalesce(campaign_version.sources, excluded.sources)`,
          [c.id, c.version, commit ?? null, JSON.stringify(definition), JSON.stringify(sources), dirty ?? null],
        );
      }
      for (const row of campaignsToArchive(existing.values(), campaigns)) {
        row.archived = true;
        row.updatedAt = new Date();
        result.archived.push(row.id);
      }
      await em.flush();
    });
    this.logger.info({ ...result, commit }, 'campaigns applied');
    return result;
  }
}

