import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CampaignLoader, CampaignProblems, PLUGIN_TOOLS, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import { createLogger } from '@leadrelay/config';
import { batchFileOptions, oneLeadFile } from '@leadrelay/files';
import type { DeliveryPreview, PluginTools } from '@leadrelay/sdk/plugin';
import { normaliseLead } from '@leadrelay/sdk/internal';
import { CliModule } from './cli.module';

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|.*(token|secret|password|signature).*)$/i;

/** Loads the campaigns (all checks, no database) and finds one delivery; prints problems otherwise. */
async function withDelivery(
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
 * `preview`: what a delivery would do with a sample lead — the request, message or file its plugin
 * would produce — without sending anything (the plugin's `preview` hook).
 */
export function previewCommand(dir: string, campaignId: string, deliveryId: string, leadJson: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  return withDelivery(dir, campaignId, deliveryId, err, async (campaign, delivery, tools) => {
    if (!delivery.plugin.preview) {
      err.write(`preview is not supported by plugin '${delivery.pluginName}' (delivery '${deliveryId}' has no preview hook).\n`);
      return 2;
    }
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
    const lead = { id: SAMPLE_LEAD, campaignId, receivedAt: tools.clock.now(), data };
    const fileOptions = delivery.plugin.fileOptions?.(delivery.options, campaign);
    const file = fileOptions && oneLeadFile(batchFileOptions(fileOptions, { campaign: campaignId, delivery: deliveryId, batch: '<batch>' }, lead.receivedAt), lead);
    let preview: DeliveryPreview;
    try {
      preview = await delivery.plugin.preview({ dispatchId: SAMPLE_DISPATCH, deliveryId, lead, campaign, options: delivery.options, prepared: delivery.prepared, file }, tools);
    } catch (e) {
      err.write(`Nothing would be sent: ${(e as Error).message}\n`);
      return 1;
    }
    if (!preview.request) out.write(`${preview.summary}\n`);
    if (preview.request) {
      const { request } = preview;
      out.write(`${request.method} ${request.url}\n`);
      for (const [name, value] of Object.entries(request.headers)) out.write(`${name}: ${SECRET_HEADER.test(name) ? '[redacted]' : value}\n`);
      out.write(`\n${request.body ?? ''}\n`);
    }
    if (preview.file) {
      out.write(`\n--- ${preview.file.fileName}\n`);
      for await (const chunk of preview.file.open() as AsyncIterable<Buffer | string>) out.write(chunk);
    }
    return 0;
  });
}

/** `classify`: how a delivery reads a saved buyer response (`{ status, headers, body }`), through its plugin's `classify` hook. */
export function classifyCommand(dir: string, campaignId: string, deliveryId: string, responseJson: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  return withDelivery(dir, campaignId, deliveryId, err, async (_campaign, delivery) => {
    if (!delivery.plugin.classify) {
      err.write(`classify is not supported by plugin '${delivery.pluginName}': delivery '${deliveryId}' reads no buyer response.\n`);
      return 2;
    }
    let saved: { status?: number; headers?: Record<string, string>; body?: string };
    try {
      saved = JSON.parse(responseJson);
    } catch (e) {
      err.write(`The saved response is not JSON ({ "status", "headers", "body" }): ${(e as Error).message}\n`);
      return 2;
    }
    const headers = Object.fromEntries(Object.entries(saved.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const result = delivery.plugin.classify(delivery.options, { status: saved.status ?? 200, headers, body: saved.body ?? '' });
    out.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  });
}
