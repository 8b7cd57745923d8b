import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CampaignLoader, CampaignProblems, PLUGIN_TOOLS, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import { createLogger } from '@leadrelay/config';
import { batchFileOptions, oneLeadFile } from '@leadrelay/files';
import type { BuyerResponse, DeliveryPreview, PluginTools, PreviewInput } from '@leadrelay/sdk/plugin';
import { normaliseLead } from '@leadrelay/sdk/internal';
import { CliModule } from './cli.module';

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|.*(token|secret|password|signature).*)$/i;

/** Loads the campaigns (all checks, no database) and finds one delivery; prints problems otherwise. */
export async function withDelivery(
  dir: string,
  campaignId: string,
  deliveryId: string,
  err: NodeJS.WritableStream,
  work: (campaign: ResolvedCampaign, delivery: ResolvedDelivery, tools: PluginTools) => Promise<number>,
): Promise<number> {
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(createLogger('silent')), { logger: false });
  try {
    const campaigns = app.get(CampaignLoader).loadAll(path.resolve(dir));
    const campaign = campaigns.find((c) => c.id === campaignId);
    const delivery = campaign?.deliveries.find((d) => d.id === deliveryId);
    if (!campaign || !delivery) {
      err.write(`No delivery '${deliveryId}' in campaign '${campaignId}' (campaigns: ${campaigns.map((c) => c.id).join(', ')}).\n`);
      return 2;
    }
    return await work(campaign, delivery, app.get<PluginTools>(PLUGIN_TOOLS));
  } catch (e) {
    if (!(e instanceof CampaignProblems)) throw e;
    for (const problem of e.problems) err.write(`${problem}\n`);
    return 1;
  } finally {
    await app.close();
  }
}

const SAMPLE_DISPATCH = '00000000-0000-4000-8000-000000000000';
const SAMPLE_LEAD = '00000000-0000-4000-8000-000000000001';

/**
 * The sample lead a command was given, normalised like intake, as the input a plugin hook takes
 * (with the one-row file when the plugin works with files); or, after saying what is wrong with
 * the lead, the exit code. Shared by `preview` and `send`, so both read a lead the same way.
 */
export function sampleInput(
  campaign: ResolvedCampaign,
  delivery: ResolvedDelivery,
  leadJson: string,
  ids: { dispatchId: string; leadId: string },
  tools: PluginTools,
  err: NodeJS.WritableStream,
): PreviewInput<unknown, unknown> | number {
  let submission: Record<string, unknown>;
  try {
    submission = JSON.parse(leadJson);
  } catch (e) {
    err.write(`The sample lead is not JSON: ${(e as Error).message}\n`);
    return 2;
  }
  const { data, errors } = normaliseLead(campaign.fields, submission);
  if (errors.length) {
    for (const e of errors) err.write(`lead › ${e.field}: ${e.message}\n`);
    return 1;
  }
  const lead = { id: ids.leadId, campaignId: campaign.id, receivedAt: tools.clock.now(), data };
  const fileOptions = delivery.plugin.fileOptions?.(delivery.options, campaign);
  const file = fileOptions && oneLeadFile(batchFileOptions(fileOptions, { campaign: campaign.id, delivery: delivery.id, batch: '<batch>' }, lead.receivedAt), lead);
  return { dispatchId: ids.dispatchId, deliveryId: delivery.id, lead, campaign, options: delivery.options, prepared: delivery.prepared, file };
}

/** Whether a header may carry a secret (credentials, tokens, cookies, signatures): masked when shown. */
export const isSecretHeader = (name: string) => SECRET_HEADER.test(name);

/** A request line (or status line), its headers and its body, as `preview` and `send` print them; `shown` masks what must not be printed. */
export function formatMessage(firstLine: string, headers: Record<string, string>, body: string | undefined, shown: (name: string, value: string) => string): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${shown(name, value)}\n`);
  return `${firstLine}\n${lines.join('')}\n${body ?? ''}\n`;
}

/**
 * `preview`: what a delivery would do with a sample lead — the request, message or file its plugin
 * would produce — without sending anything (the plugin's `preview` hook).
 */
export function previewCommand(dir: string, campaignId: string, deliveryId: string, leadJson: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  return withDelivery(dir, campaignId, deliveryId, err, async (campaign, delivery, tools) => {
    if (!delivery.plugin.preview) {
      err.write(`preview is not supported by plugin '${delivery.pluginName}' (delivery '${deliveryId}' has no preview hook).\n`);
      return 2;
    }
    const input = sampleInput(campaign, delivery, leadJson, { dispatchId: SAMPLE_DISPATCH, leadId: SAMPLE_LEAD }, tools, err);
    if (typeof input === 'number') return input;
    let preview: DeliveryPreview;
    try {
      preview = await delivery.plugin.preview(input, tools);
    } catch (e) {
      err.write(`Nothing would be sent: ${(e as Error).message}\n`);
      return 1;
    }
    if (!preview.request) out.write(`${preview.summary}\n`);
    if (preview.request) {
      const { request } = preview;
      out.write(formatMessage(`${request.method} ${request.url}`, request.headers, request.body, (name, value) => (isSecretHeader(name) ? '[redacted]' : value)));
    }
    if (preview.file) {
      out.write(`\n--- ${preview.file.fileName}\n`);
      for await (const chunk of preview.file.open() as AsyncIterable<Buffer | string>) out.write(chunk);
    }
    return 0;
  });
}

/** `--status` and `--content-type` of `classify`: when either is given, the file is the buyer's raw body. */
export interface RawResponseFlags {
  status?: string;
  contentType?: string;
}

/**
 * The saved response as a classifier reads it: the raw body with the flags' status (default 200)
 * and content type, or the JSON wrapper `{ status, headers, body }`; otherwise, after saying what
 * is wrong, the exit code.
 */
function savedResponse(text: string, raw: RawResponseFlags | undefined, err: NodeJS.WritableStream): BuyerResponse | number {
  if (raw) {
    const status = Number(raw.status ?? 200);
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      err.write(`--status must be an HTTP status from 100 to 599, not '${raw.status}'.\n`);
      return 2;
    }
    return { status, headers: raw.contentType === undefined ? {} : { 'content-type': raw.contentType }, body: text };
  }
  let saved: { status?: number; headers?: Record<string, string>; body?: string };
  try {
    saved = JSON.parse(text);
  } catch (e) {
    err.write(`The saved response is not JSON ({ "status", "headers", "body" }; for a raw body give --status or --content-type): ${(e as Error).message}\n`);
    return 2;
  }
  const headers = Object.fromEntries(Object.entries(saved.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { status: saved.status ?? 200, headers, body: saved.body ?? '' };
}

/**
 * `classify`: how a delivery reads a saved buyer response — the JSON wrapper `{ status, headers, body }`,
 * or with `raw` flags the body exactly as the buyer sent it — through its plugin's `classify` hook.
 */
export function classifyCommand(
  dir: string,
  campaignId: string,
  deliveryId: string,
  saved: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  raw?: RawResponseFlags,
): Promise<number> {
  const response = savedResponse(saved, raw, err);
  if (typeof response === 'number') return Promise.resolve(response);
  return withDelivery(dir, campaignId, deliveryId, err, async (_campaign, delivery) => {
    if (!delivery.plugin.classify) {
      err.write(`classify is not supported by plugin '${delivery.pluginName}': delivery '${deliveryId}' reads no buyer response.\n`);
      return 2;
    }
    out.write(`${JSON.stringify(delivery.plugin.classify(delivery.options, response), null, 2)}\n`);
    return 0;
  });
}
