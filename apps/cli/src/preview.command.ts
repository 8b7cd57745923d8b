import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CampaignLoader, CampaignProblems, PLUGIN_TOOLS, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import { createLogger } from '@leadrelay/config';
import { classify } from '@leadrelay/plugins/http-post';
import { normaliseLead, type HttpRequest, type PluginTools } from '@leadrelay/sdk';
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

/**
 * `preview`: exactly the request a real-time delivery would send for a sample lead, without
 * sending it (the plugin runs with an HTTP client that records instead of calling the buyer).
 */
export function previewCommand(dir: string, campaignId: string, deliveryId: string, leadJson: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  return withDelivery(dir, campaignId, deliveryId, err, async (campaign, delivery, tools) => {
    if (!delivery.plugin.deliver || delivery.plugin.fileOptions) {
      err.write(`'${deliveryId}' (${delivery.pluginName}) sends files, not requests: preview shows real-time HTTP deliveries.\n`);
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
    let sent: HttpRequest | undefined;
    const recorder: PluginTools = {
      ...tools,
      http: {
        async send(request) {
          sent = request;
          return { status: 200, headers: {}, body: '', truncated: false, durationMs: 0 };
        },
      },
    };
    const result = await delivery.plugin.deliver(
      {
        dispatchId: '00000000-0000-4000-8000-000000000000',
        deliveryId,
        attempt: 1,
        lead: { id: '00000000-0000-4000-8000-000000000001', campaignId, receivedAt: tools.clock.now(), data },
        campaign,
        options: delivery.options,
        prepared: delivery.prepared,
      },
      recorder,
    );
    if (!sent) {
      err.write(`Nothing would be sent: ${result.reason ?? result.error ?? result.outcome}\n`);
      return 1;
    }
    out.write(`${sent.method} ${sent.url}\n`);
    for (const [name, value] of Object.entries(sent.headers)) out.write(`${name}: ${SECRET_HEADER.test(name) ? '[redacted]' : value}\n`);
    out.write(`\n${sent.body === undefined ? '' : sent.body.toString()}\n`);
    return 0;
  });
}

/** `classify`: how a delivery's classifier reads a saved buyer response (`{ status, headers, body }`). */
export function classifyCommand(dir: string, campaignId: string, deliveryId: string, responseJson: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  return withDelivery(dir, campaignId, deliveryId, err, async (_campaign, delivery) => {
    if (delivery.pluginName !== 'http-post') {
      err.write(`'${deliveryId}' is a ${delivery.pluginName} delivery: only http-post deliveries classify responses.\n`);
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
    const result = classify(delivery.options.classify, { status: saved.status ?? 200, headers, body: saved.body ?? '' });
    out.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  });
}
