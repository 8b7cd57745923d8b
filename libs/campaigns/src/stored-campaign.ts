import type { ResolvedCampaign } from './resolved-campaign';

/** What a deploy reads of a campaign row to decide what to do with it. */
export interface StoredCampaignRow {
  id: string;
  name: string;
  version: string;
  archived: boolean;
}

/**
 * The definition a deploy stores on the campaign and its version, as the admin API shows it: the
 * public definition plus each delivery's plugin, mode and summary. Shared by the applier, which
 * writes it, and `cli plan`, which compares it with what is stored (docs/campaigns.md › plan).
 */
export function storedDefinition(c: ResolvedCampaign): Record<string, unknown> {
  const declared = c.publicDefinition.deliveries as { id: string; options: unknown; settings?: unknown }[];
  return {
    ...c.publicDefinition,
    deliveries: c.deliveries.map((d) => ({
      id: d.id,
      plugin: d.pluginName,
      summary: d.summary,
      mode: d.mode.kind,
      ...(d.mode.kind === 'scheduled' ? { schedule: d.mode.schedule } : {}),
      options: declared.find((p) => p.id === d.id)?.options,
      // The host's controls as declared (retries, the buyer contract), secrets left out.
      controls: declared.find((p) => p.id === d.id)?.settings ?? {},
    })),
  };
}

/** A stored campaign the files still have is rewritten when its config, name or archived flag differs. */
export function needsUpdate(row: StoredCampaignRow, c: ResolvedCampaign): boolean {
  return row.version !== c.version || row.archived || row.name !== c.name;
}

/** Campaigns in force in the database whose file is gone: a deploy archives them. */
export function campaignsToArchive<R extends StoredCampaignRow>(rows: Iterable<R>, campaigns: readonly ResolvedCampaign[]): R[] {
  const present = new Set(campaigns.map((c) => c.id));
  return [...rows].filter((row) => !present.has(row.id) && !row.archived);
}
