import type { DeliverySettings, Margin } from '@leadrelay/sdk';
import type { CampaignInfo, DeliveryMode, DeliveryPlugin, FieldDefinition } from '@leadrelay/sdk/plugin';

/** A delivery ready to run: its plugin, parsed options with secrets resolved, and prepared state. */
export interface ResolvedDelivery {
  readonly id: string;
  readonly pluginName: string;
  readonly plugin: DeliveryPlugin;
  /** Parsed by the plugin's schema, env() resolved: may hold secrets, never stored or shown. */
  readonly options: any;
  readonly prepared: unknown;
  /** What the host does with the delivery (retries, empty batches), typed: never the plugin's. */
  readonly settings: DeliverySettings;
  readonly mode: DeliveryMode;
  readonly summary: string;
  /** Secret values from `env()` (passwords, tokens): redacted from every stored attempt. */
  readonly secrets: readonly string[];
  /** A `pingPost` delivery's sale: the host runs it in place of one `deliver` (docs/architecture.md › Ping-post). */
  readonly auction?: ResolvedAuction;
}

/**
 * One buyer of a sale. Its ping and its post are real-time deliveries of the plugin each names,
 * both with id `<sale>/<buyer>` (e.g. `auction/acme`) and the buyer's contract as their settings,
 * so the host's controls (criteria, caps, dedupe, hours, the gate) apply to the buyer as to any
 * delivery (docs/contracts.md › Buyers in a sale).
 */
export interface ResolvedAuctionBuyer {
  readonly id: string;
  /** Prepared with the ping fields only: the lead it is given holds nothing else. */
  readonly ping: ResolvedDelivery;
  /** Prepared with the campaign's fields and `ping` (`ping.reference`, `ping.price`). */
  readonly post: ResolvedDelivery;
}

/** A `pingPost` delivery's sale, resolved. */
export interface ResolvedAuction {
  readonly pingFields: readonly string[];
  readonly pingTimeoutMs: number;
  readonly deadlineMs: number;
  readonly minBid: number;
  readonly pick: 'highest' | 'waterfall';
  /** How long an inbound ping's bids may be reused (docs/api.md › Pings). */
  readonly pingTtlMs: number;
  /** In declared order. */
  readonly buyers: readonly ResolvedAuctionBuyer[];
}

/** A campaign file, validated and resolved. */
export interface ResolvedCampaign extends CampaignInfo {
  readonly file: string;
  readonly intakeKeys: readonly string[];
  readonly fields: readonly FieldDefinition[];
  readonly deliveries: readonly ResolvedDelivery[];
  /** Content hash of the config with secrets left out. */
  readonly version: string;
  /** The config with secrets left out (env() shown by name), as stored and shown by the API. */
  readonly publicDefinition: Record<string, unknown>;
  /** Taken off the best bid when an inbound ping is priced (docs/api.md › Pings); none when unset. */
  readonly margin?: Margin;
}
