import {
  definePlugin,
  TransportError,
  type BuyerResponse,
  type CampaignInfo,
  type DeliverInput,
  type DeliveryResult,
  type LeadRecord,
  type PluginTools,
  type RecordedRequest,
  type RecordedResponse,
} from '@leadrelay/sdk/plugin';
import { renderBuyerUrl, summariseUrl } from './buyer-url.template';
import { classify } from './classify';
import { httpPostPluginOptionsSchema, type HttpPostPluginOptions } from './http-post.options';
import { prepareHttpPost, type PreparedHttpPost } from './http-post.prepare';
import { retryAfterMs } from './retry-after.header';
import { webhookHeaders } from './webhook.signature';

/**
 * What templates see: the campaign's fields (null when the lead has no value), then the lead's
 * own, then what the host added (`templateValues`, e.g. a sale's `ping`).
 */
function templateContext(lead: LeadRecord, campaign: CampaignInfo, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const context: Record<string, unknown> = { ...extra };
  for (const { name } of campaign.fields) context[name] = lead.data[name] ?? null;
  context.lead_id = lead.id;
  context.received_at = lead.receivedAt;
  context.campaign = campaign.id;
  return context;
}

/** The selected fields under the buyer's names; fields the lead has no value for are left out. */
function formFields(prepared: PreparedHttpPost, lead: LeadRecord): URLSearchParams {
  const form = new URLSearchParams();
  for (const { field, as } of prepared.fields) {
    const value = lead.data[field];
    if (value !== null && value !== undefined) form.append(as, String(value));
  }
  return form;
}

/**
 * Real-time HTTP/HTTPS delivery, the recommended method: one request per dispatch, sent through
 * the host's HTTP client, the response classified into delivered / rejected / retry. Every
 * attempt carries the dispatch id as `Idempotency-Key`, so a buyer can drop the duplicates an
 * at-least-once delivery may cause.
 */
export const httpPostPlugin = definePlugin<HttpPostPluginOptions, PreparedHttpPost>({
  name: 'http-post',
  optionsSchema: httpPostPluginOptionsSchema,

  mode() {
    return { kind: 'realtime' };
  },

  prepare: prepareHttpPost,

  async deliver(input, tools) {
    const built = buildRequest(input, tools);
    if ('outcome' in built) return built;
    const { options } = input;
    const { request } = built;
    const { url, headers, body } = request;
    let buyer: BuyerResponse;
    let response: RecordedResponse | undefined;
    let error: string | undefined;
    try {
      const answer = await tools.http.send({
        method: options.method,
        url,
        headers,
        body,
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
        followRedirects: options.followRedirects,
      });
      response = { status: answer.status, headers: answer.headers, body: answer.body, truncated: answer.truncated };
      buyer = { status: answer.status, headers: answer.headers, body: answer.body };
    } catch (thrown) {
      const transport = thrown instanceof TransportError ? thrown : new TransportError('network', thrown instanceof Error ? thrown.message : String(thrown));
      error = `${transport.code}: ${transport.message}`;
      // Refused by the host (a private address, a redirect to http; docs/security.md): no classifier
      // is asked and the dispatch fails at once, since sending again would be refused the same way.
      if (transport.code === 'blocked') return { outcome: 'rejected', configError: true, reason: error, error, request };
      buyer = { headers: {}, body: '', error: { code: transport.code, message: transport.message } };
    }

    const classification = classify(options.classify, buyer);
    const result: DeliveryResult = { outcome: classification.outcome, request };
    if (response) result.response = response;
    if (error) result.error = error;
    if (classification.reason !== undefined) result.reason = classification.reason;
    if (classification.price !== undefined) result.price = classification.price;
    if (classification.reference !== undefined) result.reference = classification.reference;
    if (classification.captured !== undefined) result.captured = classification.captured;
    if (result.outcome === 'retry' && response) {
      const wait = retryAfterMs(response.headers['retry-after'], tools.clock.now());
      if (wait !== undefined) result.retryAfterMs = wait;
    }
    return result;
  },

  async preview(input, tools) {
    const built = buildRequest(input, tools);
    if ('outcome' in built) throw new Error(built.reason);
    return { summary: `${built.request.method} ${built.request.url}`, request: built.request };
  },

  classify(options, response) {
    return classify(options.classify, response);
  },

  testOptions(options) {
    return options.testUrl === undefined ? undefined : { ...options, url: options.testUrl };
  },

  summary(options) {
    return `${options.method} ${typeof options.url === 'string' ? summariseUrl(options.url) : `env('${options.url.name}')`}`;
  },
});

/**
 * The request one lead makes, exactly as it would be sent (Idempotency-Key, signature and all), or
 * the configuration error that stops it: shared by `deliver` and `preview`, so a preview never differs.
 */
function buildRequest(
  input: Pick<DeliverInput<HttpPostPluginOptions, PreparedHttpPost>, 'options' | 'prepared' | 'lead' | 'campaign' | 'templateValues'> & { dispatchId: string },
  tools: PluginTools,
): { request: RecordedRequest } | DeliveryResult {
  const { options, prepared, lead, campaign, dispatchId } = input;
  const context = templateContext(lead, campaign, input.templateValues);
  const isGet = options.method === 'GET';
  const headers: Record<string, string> = { ...prepared.headers, 'idempotency-key': dispatchId };
  let url: string;
  let body: string | undefined;
  try {
    url = renderBuyerUrl(prepared.url, context, isGet ? formFields(prepared, lead) : undefined);
    if (prepared.body.kind === 'form') body = isGet ? undefined : formFields(prepared, lead).toString();
    else body = prepared.body.template.render(context);
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return { outcome: 'rejected', configError: true, reason: `a template failed to render: ${message}` };
  }
  if (prepared.body.kind === 'json' || prepared.body.kind === 'xml') {
    const problem = tools.templates.checkBody(prepared.body.kind, body ?? '', prepared.body.name);
    // Values are escaped, so the template is at fault: sending it again would not help.
    if (problem) return { outcome: 'rejected', configError: true, reason: problem.message, request: { method: options.method, url, headers, body } };
  }
  if (prepared.signingKey) Object.assign(headers, webhookHeaders(prepared.signingKey, dispatchId, tools.clock.now(), body ?? ''));
  return { request: { method: options.method, url, headers, ...(body !== undefined ? { body } : {}) } };
}
