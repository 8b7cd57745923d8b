import type { DeliveryPlugin } from './plugin-contract';

const PLUGIN_BRAND = Symbol.for('leadrelay.delivery-plugin');

/** Declares a delivery plugin (identity, plus a brand so the host can find it among providers). */
export function definePlugin<O, P = unknown>(plugin: DeliveryPlugin<O, P>): DeliveryPlugin<O, P> {
  return Object.assign(plugin, { [PLUGIN_BRAND]: true });
}

/** The host's test for a provider that is a delivery plugin. */
export function isDeliveryPlugin(value: unknown): value is DeliveryPlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
