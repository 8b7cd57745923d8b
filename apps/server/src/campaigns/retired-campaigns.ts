import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CampaignLoader, CampaignProblems, LOGGER, type ResolvedCampaign } from '@leadrelay/campaigns';
import { Database } from '../common/database';
import { CampaignRegistry } from './campaign.registry';
import { materialise } from './campaign.sources';

interface StoredVersion {
  id: string;
  campaign_id: string;
  hash: string;
  sources: Record<string, string> | null;
  definition: { deliveries?: { id: string }[] };
}

/**
 * Loads again, from their stored sources, the versions that still have work or readers once their
 * files are gone (docs/architecture.md, "Campaign versions"): every version under which a pending
 * dispatch of a retired delivery (its campaign archived, or the delivery removed) was accepted,
 * and each archived campaign's newest version, so its leads stay exportable. Secrets come from the
 * environment as they do for files in force; a version that cannot load is named in the log and
 * its dispatches fail with the reason, as before.
 */
@Injectable()
export class RetiredCampaigns {
  constructor(
    private readonly db: Database,
    private readonly loader: CampaignLoader,
    private readonly registry: CampaignRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async load(env: NodeJS.ProcessEnv): Promise<{ loaded: string[]; failed: string[] }> {
    const { rows: versions } = await this.db.query<StoredVersion>(
      `select v.id, v.campaign_id, v.hash, v.sources, v.definition from campaign_version v order by v.campaign_id, v.id`,
    );
    const { rows: archived } = await this.db.query<{ id: string }>('select id from campaign where archived');
    const wanted = new Map<string, StoredVersion>();
    // Deliveries some version had and the files in force no longer have.
    const retiredPairs = new Set<string>();
    for (const v of versions) {
      for (const d of v.definition.deliveries ?? []) if (!this.registry.get(v.campaign_id)?.deliveries.some((x) => x.id === d.id)) retiredPairs.add(`${v.campaign_id}\u0000${d.id}`);
    }
    for (const pair of retiredPairs) {
      const [campaignId, deliveryId] = pair.split('\u0000');
      const { rows } = await this.db.query<{ hash: string }>(
        `select distinct l.campaign_version as hash from dispatch_row d join lead l on l.id = d.lead_id
          where d.campaign_id = $1 and d.delivery_id = $2 and d.status = 'pending'`,
        [campaignId, deliveryId],
      );
      for (const r of rows) {
        const v = versions.find((x) => x.campaign_id === campaignId && x.hash === r.hash);
        if (v) wanted.set(v.id, v);
      }
    }
    for (const { id } of archived) {
      const newest = versions.filter((v) => v.campaign_id === id).pop();
      if (newest) wanted.set(newest.id, newest);
    }
    const loaded: { hash: string; campaign: ResolvedCampaign }[] = [];
    const failed: string[] = [];
    for (const v of [...wanted.values()].sort((x, y) => Number(x.id) - Number(y.id))) {
      const campaign = this.loadVersion(v, env);
      if (campaign) loaded.push({ hash: v.hash, campaign });
      else failed.push(`${v.campaign_id}@${v.hash}`);
    }
    this.registry.retire(loaded);
    if (loaded.length || failed.length) {
      this.logger.info({ loaded: loaded.map((l) => `${l.campaign.id}@${l.hash}`), failed }, 'retired campaign versions loaded from their stored sources');
    }
    return { loaded: loaded.map((l) => `${l.campaign.id}@${l.hash}`), failed };
  }

  private loadVersion(v: StoredVersion, env: NodeJS.ProcessEnv): ResolvedCampaign | undefined {
    if (!v.sources) {
      this.logger.warn({ campaign: v.campaign_id, version: v.hash }, 'a retired version has no stored sources (applied before versions kept them): its pending dispatches cannot finish');
      return undefined;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `leadrelay-${v.campaign_id}-${v.hash}-`));
    try {
      const file = materialise(v.sources, `${v.campaign_id}.campaign.ts`, dir);
      return this.loader.loadAll(path.dirname(file), env).find((c) => c.id === v.campaign_id);
    } catch (err) {
      const problems = err instanceof CampaignProblems ? err.problems : [String(err)];
      this.logger.warn({ campaign: v.campaign_id, version: v.hash, problems }, 'a retired version did not load again');
      return undefined;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
