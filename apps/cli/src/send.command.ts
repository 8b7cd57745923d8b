import { randomUUID } from 'node:crypto';
import type { ResolvedCampaign, ResolvedDelivery } from '@leadrelay/campaigns';
import { PluginConfigError, type DeliveryResult, type PluginTools } from '@leadrelay/sdk/plugin';
import { formatMessage, isSecretHeader, sampleInput, withDelivery } from './preview.command';

export interface SendFlags {
  /** Post to the delivery's real endpoint (its `url`), even when it has a test one. */
  live?: boolean;
  /** Print auth headers, signatures and `env()` values as they are, unmasked. */
  showSecrets?: boolean;
}

/** Where the lead goes: the delivery pointed at its test endpoint, or (with `--live`) as it is. */
interface SendTarget {
  options: unknown;
  prepared: unknown;
  label: string;
}

/**
 * `send`: one sample lead sent for real to the delivery's test endpoint (`--live`: its real one),
 * built and classified by the plugin's own `deliver`, so it travels exactly like a real dispatch.
 * Prints the request, the response and the classification. Nothing is stored: no database is
 * opened. Exit 0 when the buyer answered (whatever the outcome); 1 for campaign problems, a bad
 * lead, a request that could not be built or got no answer; 2 when the delivery cannot send.
 * See docs/campaigns.md › CLI.
 */
export function sendCommand(
  dir: string,
  campaignId: string,
  deliveryId: string,
  leadJson: string,
  flags: SendFlags,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  return withDelivery(dir, campaignId, deliveryId, err, async (campaign, delivery, tools) => {
    const { plugin } = delivery;
    if (delivery.mode.kind !== 'realtime' || !plugin.deliver || !plugin.testOptions) {
      err.write(`send is not supported by plugin '${delivery.pluginName}': delivery '${deliveryId}' does not send one request per lead in real time.\n`);
      return 2;
    }
    let target: SendTarget | undefined;
    try {
      target = sendTarget(campaign, delivery, tools, flags.live === true);
    } catch (e) {
      if (!(e instanceof PluginConfigError)) throw e;
      err.write(`The test endpoint cannot be used: ${e.message}\n`);
      return 1;
    }
    if (!target) {
      err.write(`Delivery '${deliveryId}' has no testUrl, so nothing was sent: give it one, or pass --live to send the lead to its real URL.\n`);
      return 2;
    }
    // Fresh ids on every send: a test endpoint that drops repeated Idempotency-Keys or lead ids takes each one as new.
    const input = sampleInput(campaign, delivery, leadJson, { dispatchId: randomUUID(), leadId: randomUUID() }, tools, err);
    if (typeof input === 'number') return input;
    const result = await plugin.deliver({ ...input, attempt: 1, options: target.options, prepared: target.prepared }, tools);
    const mask = flags.showSecrets ? (text: string) => text : envMask(campaign, deliveryId);
    out.write(mask(formatResult(result, target.label, !flags.showSecrets)));
    if (result.configError) err.write(`Nothing was sent: ${result.reason}\n`);
    return result.response ? 0 : 1;
  });
}

/**
 * The options and prepared state the lead is sent with. The test options are prepared here like a
 * campaign load prepares the real ones, so credentials in a test URL are used like those in `url`.
 */
function sendTarget(campaign: ResolvedCampaign, delivery: ResolvedDelivery, tools: PluginTools, live: boolean): SendTarget | undefined {
  if (live) return { options: delivery.options, prepared: delivery.prepared, label: 'the live endpoint (--live)' };
  const options = delivery.plugin.testOptions!(delivery.options);
  if (options === undefined) return undefined;
  return { options, prepared: delivery.plugin.prepare?.(options, campaign, tools), label: 'the test endpoint' };
}

/** The request as sent, the buyer's answer (or the transport error) and the classification. */
function formatResult(result: DeliveryResult, label: string, maskHeaders: boolean): string {
  const shown = (name: string, value: string) => (maskHeaders && isSecretHeader(name) ? '[redacted]' : value);
  const parts: string[] = [];
  const { request, response } = result;
  if (request) parts.push(`--- request to ${label}\n`, formatMessage(`${request.method} ${request.url}`, request.headers, request.body, shown));
  if (response) {
    parts.push('--- response\n', formatMessage(`HTTP ${response.status}`, response.headers, response.body, shown));
    if (response.truncated) parts.push('(the body was cut at maxResponseBytes)\n');
  }
  if (result.error) parts.push('--- no response\n', `${result.error}\n`);
  parts.push('--- classification\n', `outcome: ${result.outcome}\n`);
  for (const key of ['reason', 'price', 'reference'] as const) if (result[key] !== undefined) parts.push(`${key}: ${result[key]}\n`);
  return parts.join('');
}

/**
 * Values shorter than this are not masked: replacing `s` or `p` wherever it appears makes the
 * output unreadable, and a secret that short protects nothing. Auth and signature headers are
 * masked whole whatever their length.
 */
const SHORTEST_MASKED = 6;

/**
 * Replaces the value of every `env()` the delivery's options name with `env(NAME)`: what the
 * campaign keeps out of git stays off the screen (and out of pasted output). The names come from
 * the campaign's public definition, which shows each `env()` by name (docs/campaigns.md › env()).
 */
function envMask(campaign: ResolvedCampaign, deliveryId: string, env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  const deliveries = campaign.publicDefinition.deliveries as { id: string; options?: unknown }[];
  const names = new Set<string>();
  const collect = (value: unknown): void => {
    const name = typeof value === 'string' ? /^env\((.+)\)$/.exec(value)?.[1] : undefined;
    if (name) names.add(name);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(deliveries.find((d) => d.id === deliveryId)?.options);
  // Longest first, so a value that contains another is replaced whole.
  const secrets = [...names]
    .map((name) => ({ name, value: env[name] ?? '' }))
    .filter((s) => s.value.length >= SHORTEST_MASKED)
    .sort((a, b) => b.value.length - a.value.length);
  return (text) => secrets.reduce((masked, { name, value }) => masked.split(value).join(`env(${name})`), text);
}
