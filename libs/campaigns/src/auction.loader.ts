import { z } from 'zod';
import { contractProblems } from '@leadrelay/contracts';
import type { DeliveryDefinition, DeliverySettings } from '@leadrelay/sdk';
import { unknownName, type AuctionDefinition, type AuctionPhaseDefinition } from '@leadrelay/sdk/internal';
import type { CampaignInfo, DeliveryPlugin, PrepareContext } from '@leadrelay/sdk/plugin';
import type { ResolvedAuction, ResolvedAuctionBuyer, ResolvedDelivery } from './resolved-campaign';

type Path = readonly (string | number | symbol)[];

/** A phase to load: its plugin and options, the campaign its templates see, and what `prepare` is told. */
export interface PhaseToLoad extends AuctionPhaseDefinition {
  readonly campaign: CampaignInfo;
  readonly context?: PrepareContext;
  /** Rewrites the plugin's problem messages (the ping's unknown variables name `pingFields`). */
  readonly problemText?: (message: string) => string;
}

/** A phase as loaded: a real-time delivery of its plugin, without an id or settings yet. */
export type ResolvedPhase = Omit<ResolvedDelivery, 'id' | 'settings'>;

/** What a sale's post may use in its templates besides the lead: `ping.reference` and `ping.price`. */
export const POST_TEMPLATE_VALUES = ['ping'] as const;

/**
 * The sale as a delivery of its own: real-time, the host's settings of the sale as a whole
 * (retry, concurrency, breaker), and no plugin call of its own: the host runs the sale instead
 * (docs/architecture.md › Ping-post). Its name is the definition's, shown as data.
 */
export function salePlugin(name: string): DeliveryPlugin {
  return { name, optionsSchema: z.object({}).strict(), mode: () => ({ kind: 'realtime' }) };
}

/**
 * A `pingPost` delivery resolved (docs/campaigns.md › Ping-post): its ping fields are campaign
 * fields; each buyer's ping is prepared with the ping fields only, its post with the campaign's
 * fields and `ping`; each buyer's contract is checked as any real-time delivery's. A buyer is a
 * delivery with id `<sale>/<buyer>` (e.g. `auction/acme`), so its caps, breaker, pacing and pause
 * are kept apart from every other buyer's. Paths are as the file writes them:
 * `buyers[0].ping.body`, `buyers[1].caps[0].max`.
 */
export function loadAuction(
  d: DeliveryDefinition<any, string>,
  auction: AuctionDefinition,
  info: CampaignInfo,
  settings: DeliverySettings,
  fail: (path: Path, message: string) => void,
  loadPhase: (phase: PhaseToLoad, at: (string | number)[]) => ResolvedPhase | undefined,
): ResolvedDelivery | undefined {
  const known = info.fields.map((f) => f.name);
  let ok = true;
  const problem = (path: Path, message: string) => {
    fail(path, message);
    ok = false;
  };
  auction.pingFields.forEach((name, i) => {
    if (!known.includes(name)) problem(['pingFields', i], unknownName('field', name, known));
  });
  // The post's templates see the winning bid as `ping`: a field of that name would hide it.
  if (known.includes('ping')) problem([], "the campaign has a field named 'ping', which would hide ping.reference and ping.price in the posts' templates: rename the field");
  const pingFields = auction.pingFields.filter((name) => known.includes(name));
  const pingCampaign: CampaignInfo = { ...info, fields: info.fields.filter((f) => pingFields.includes(f.name)) };
  const pingProblem = (message: string) => message.replace(/\(variables: [^)]*\)/, `(pingFields: ${pingFields.join(', ')})`);
  const buyers: ResolvedAuctionBuyer[] = [];
  auction.buyers.forEach((b, i) => {
    const at: (string | number)[] = ['buyers', i];
    for (const p of contractProblems(b.settings, info.fields, 'realtime')) problem([...at, ...p.path], p.message);
    const ping = loadPhase({ ...b.ping, campaign: pingCampaign, problemText: pingProblem }, [...at, 'ping']);
    const post = loadPhase({ ...b.post, campaign: info, context: { extraVariables: POST_TEMPLATE_VALUES } }, [...at, 'post']);
    if (!ping || !post) {
      ok = false;
      return;
    }
    const id = `${d.id}/${b.id}`;
    buyers.push({ id: b.id, ping: { ...ping, id, settings: b.settings }, post: { ...post, id, settings: b.settings } });
  });
  if (!ok) return undefined;
  const resolved: ResolvedAuction = {
    pingFields,
    pingTimeoutMs: auction.pingTimeoutMs,
    deadlineMs: auction.deadlineMs,
    minBid: auction.minBid,
    pick: auction.pick,
    pingTtlMs: auction.pingTtlMs,
    buyers,
  };
  const plugin = salePlugin(d.plugin);
  return {
    id: d.id,
    pluginName: d.plugin,
    plugin,
    options: {},
    settings,
    prepared: undefined,
    mode: { kind: 'realtime' },
    summary: `ping-post to ${buyers.length} buyer(s): ${buyers.map((b) => b.id).join(', ')} (${auction.pick}, minimum bid ${auction.minBid})`,
    secrets: [...new Set(buyers.flatMap((b) => [...b.ping.secrets, ...b.post.secrets]))],
    auction: resolved,
  };
}
