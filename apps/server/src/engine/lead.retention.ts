import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { Clock, LOGGER } from '@leadrelay/campaigns';
import { durationMs } from '@leadrelay/sdk/internal';
import { Database } from '../common/database';
import { APP_CONFIG, type ServerConfig } from '../config.token';
import { LeadEraser } from './lead.eraser';
import { runAlone } from './single-flight';

/** Any fixed number: the advisory lock that makes retention runs single-flight across every process. */
export const RETENTION_LOCK = 0x1ead3e7e;
/** Leads erased per transaction: short transactions, and a run stopped half-way keeps what it did. */
const CHUNK = 1_000;
/**
 * A run stops taking new chunks after this long and the next tick carries on from its mark, so a
 * first run over years of leads never keeps a worker's shutdown waiting for long.
 */
const RUN_BUDGET_MS = 20_000;

export interface RetentionResult {
  /** Leads whose data was erased. */
  leads: number;
  /** Batch sends whose request and response were erased. */
  batchAttempts: number;
  /** False when another run was going on (nothing was done). */
  ran: boolean;
}

interface CampaignWindow {
  campaignId: string;
  windowMs: number;
}

/**
 * The retention job (docs/campaigns.md › Retention): erases the data of leads older than their
 * campaign's `retention` (or `RETENTION`), a chunk at a time, oldest first. Each campaign keeps a
 * mark of how far back it has erased (`retention_mark`), so a run at rest reads only the leads that
 * came of age since the last one, never the erased past. Runs from a job scheduler on the schedule
 * queue (once per tick across instances) and under an advisory lock (never two at once).
 */
@Injectable()
export class LeadRetention {
  constructor(
    private readonly db: Database,
    private readonly eraser: LeadEraser,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(): Promise<RetentionResult> {
    return (await runAlone(this.db, RETENTION_LOCK, () => this.eraseExpired())) ?? { leads: 0, batchAttempts: 0, ran: false };
  }

  private async eraseExpired(): Promise<RetentionResult> {
    const deadline = Date.now() + RUN_BUDGET_MS;
    const now = this.clock.now();
    let leads = 0;
    let batchAttempts = 0;
    for (const w of await this.windows()) {
      const cutoff = new Date(now.getTime() - w.windowMs);
      leads += await this.eraseLeads(w.campaignId, cutoff, deadline);
      batchAttempts += await this.db.transaction((client) => this.eraser.eraseBatchAttempts(client, w.campaignId, cutoff));
    }
    if (leads || batchAttempts) this.logger.info({ leads, batchAttempts }, 'retention erased lead data past its window');
    return { leads, batchAttempts, ran: true };
  }

  /**
   * Each campaign's window: its file's `retention`, else `RETENTION`; a campaign with neither is
   * kept forever. Read from the stored definitions, so archived campaigns' leads age out too.
   */
  private async windows(): Promise<CampaignWindow[]> {
    const { rows } = await this.db.query<{ id: string; retention: string | null }>(`select id, definition ->> 'retention' as retention from campaign order by id`);
    const windows: CampaignWindow[] = [];
    for (const row of rows) {
      const windowMs = durationMs(row.retention ?? this.config.RETENTION);
      if (windowMs !== undefined) windows.push({ campaignId: row.id, windowMs });
    }
    return windows;
  }

  /**
   * Erases the campaign's leads received before `cutoff`, from its mark on. The mark moves to the
   * last lead erased — not to the cutoff — so it only ever stands where erased leads are: a run at
   * rest reads from there to the cutoff, which holds the leads come of age since, and nothing more.
   */
  private async eraseLeads(campaignId: string, cutoff: Date, deadline: number): Promise<number> {
    let from = await this.markOf(campaignId);
    if (from && from >= cutoff) return 0;
    let erased = 0;
    for (;;) {
      const chunk = await this.db.transaction(async (client) => {
        const { rows } = await client.query<{ id: string; received_at: Date }>(
          `select id, received_at from lead
            where campaign_id = $1 and received_at < $2 and ($3::timestamptz is null or received_at >= $3) and erased_at is null
            order by received_at, id limit $4`,
          [campaignId, cutoff, from, CHUNK],
        );
        if (!rows.length) return { count: 0, reached: from, last: true };
        const count = (await this.eraser.erase(client, rows.map((r) => r.id))).length;
        const reached = rows[rows.length - 1].received_at;
        await this.moveMark(client, campaignId, reached);
        return { count, reached, last: rows.length < CHUNK };
      });
      erased += chunk.count;
      from = chunk.reached;
      if (chunk.last || Date.now() > deadline) return erased;
    }
  }

  private async markOf(campaignId: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ erased_before: Date }>('select erased_before from retention_mark where campaign_id = $1', [campaignId]);
    return rows[0]?.erased_before ?? null;
  }

  /** The mark only moves forward: a window made longer later does not make the job read erased leads again. */
  private async moveMark(client: PoolClient, campaignId: string, erasedBefore: Date): Promise<void> {
    await client.query(
      `insert into retention_mark (campaign_id, erased_before) values ($1, $2)
       on conflict (campaign_id) do update
         set erased_before = greatest(retention_mark.erased_before, excluded.erased_before), updated_at = now()`,
      [campaignId, erasedBefore],
    );
  }
}
