import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Module } from '@nestjs/common';
import { z } from 'zod';
import { definePlugin, TransportError } from '@leadrelay/sdk/plugin';

/**
 * Two delivery plugins that exist only in this test folder, written against the SDK's plugin door
 * alone: if the host delivers through them unchanged, it knows plugins by their contract, not by
 * their names.
 */

/** Real time: posts the lead's values as JSON; 2xx delivered, 5xx/transport retry, other statuses rejected. */
export const relayPostPlugin = definePlugin<{ url: string }>({
  name: 'relay-post',
  optionsSchema: z.object({ url: z.string().url() }).strict(),
  mode: () => ({ kind: 'realtime' }),
  async deliver({ lead, options, dispatchId }, tools) {
    const request = { method: 'POST', url: options.url, headers: { 'content-type': 'application/json', 'x-dispatch': dispatchId }, body: JSON.stringify(lead.data) };
    try {
      const answer = await tools.http.send({ ...request, timeoutMs: 2_000, maxResponseBytes: 4_096, followRedirects: false });
      const response = { status: answer.status, headers: answer.headers, body: answer.body };
      if (answer.status >= 200 && answer.status < 300) return { outcome: 'delivered', request, response, reference: answer.body };
      if (answer.status >= 500) return { outcome: 'retry', reason: `status ${answer.status}`, request, response };
      return { outcome: 'rejected', reason: `status ${answer.status}: ${answer.body}`, request, response };
    } catch (err) {
      const message = err instanceof TransportError ? `${err.code}: ${err.message}` : String(err);
      return { outcome: 'retry', error: message, reason: message, request };
    }
  },
  summary: (o) => `relay to ${o.url}`,
});

/** On demand: a manual delivery drops the batch's file into a local folder; a missing folder is refused for good. */
export const dropBoxPlugin = definePlugin<{ folder: string }>({
  name: 'drop-box',
  optionsSchema: z.object({ folder: z.string().min(1) }).strict(),
  mode: () => ({ kind: 'on-demand' }),
  fileOptions: (_o, campaign) => ({
    format: 'csv',
    quote: 'needed',
    header: true,
    formulaGuard: true,
    fileName: '{{campaign}}-{{batch}}.{{ext}}',
    columns: [...campaign.fields.map((f) => ({ header: f.name, source: f.name })), { header: 'lead_id', source: 'lead_id' }],
  }),
  async deliverBatch({ file, options, leadCount }) {
    const target = path.join(options.folder, file.fileName);
    const request = { method: 'COPY', url: `file://${target}`, headers: {}, body: `${leadCount} lead(s)` };
    if (!fs.existsSync(options.folder)) return { outcome: 'rejected', reason: `no folder ${options.folder}`, request };
    await pipeline(file.open() as Readable, fs.createWriteStream(target));
    return { outcome: 'delivered', reference: target, request };
  },
});

@Module({
  providers: [
    { provide: 'test.plugin.relay-post', useValue: relayPostPlugin },
    { provide: 'test.plugin.drop-box', useValue: dropBoxPlugin },
  ],
})
export class TestPluginsModule {}
