import type { DeliverySettings } from '@leadrelay/sdk';
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
}
