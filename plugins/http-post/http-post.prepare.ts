import {
  PluginConfigError,
  TemplateError,
  unknownName,
  type CampaignInfo,
  type CompiledTemplate,
  type OptionProblem,
  type PluginTools,
  type PrepareContext,
  type TemplateEscape,
} from '@leadrelay/sdk/plugin';
import { selectorProblems } from './classify/classifier.check';
import { prepareBuyerUrl, type BuyerUrl } from './buyer-url.template';
import { captureProblems } from './classify/leadconduit.capture';
import type { HttpPostPluginOptions } from './http-post.options';
import { signingKey } from './webhook.signature';

/** What `prepare` works out once per campaign load, so that a delivery only renders and sends. */
export interface PreparedHttpPost {
  url: BuyerUrl;
  /** Campaign field → the buyer's name, in the order sent. */
  fields: { field: string; as: string }[];
  body: { kind: 'form' } | { kind: 'json' | 'xml' | 'text'; template: CompiledTemplate; name: string };
  /** Lower-case names; everything but the per-attempt `idempotency-key` and signature. */
  headers: Record<string, string>;
  signingKey?: Buffer;
}

/** Values every template may use besides the campaign's fields. */
export const LEAD_VARIABLES = ['lead_id', 'received_at', 'campaign'] as const;

const CONTENT_TYPES = { form: 'application/x-www-form-urlencoded', json: 'application/json', xml: 'application/xml' } as const;
const ESCAPES: Record<'json' | 'xml' | 'text', TemplateEscape> = { json: 'json', xml: 'xml', text: 'text' };
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the connection, or by this plugin on every request: a campaign cannot override them. */
const RESERVED_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'idempotency-key']);
const SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];

/**
 * `mapping` renames the fields of a form (or a GET's query); a template writes the buyer's names
 * itself, so a mapping beside one would silently do nothing.
 */
function mappingBesideTemplate(kind: 'json' | 'xml' | 'text'): string {
  const example = { json: '"FName": {{json first_name}}', xml: '<FName>{{first_name}}</FName>', text: 'FName={{first_name}}' }[kind];
  return `does nothing beside a ${kind}() body: write the buyer's names in the template itself (e.g. ${example}) and remove mapping, or use form() to send the mapped fields`;
}

/** Checks everything schema validation cannot (field names, URL, templates, headers) and reports every problem at once. */
export function prepareHttpPost(options: HttpPostPluginOptions, campaign: CampaignInfo, tools: PluginTools, context: PrepareContext = {}): PreparedHttpPost {
  const problems: OptionProblem[] = [];
  const resolved = (value: unknown, path: (string | number)[]): string => {
    if (typeof value === 'string') return value;
    const name = (value as { name?: string } | null)?.name;
    problems.push({ path, message: `env('${name ?? '?'}') was not resolved` });
    return '';
  };
  const known = new Set(campaign.fields.map((f) => f.name));
  const variables = [...campaign.fields.map((f) => f.name), ...LEAD_VARIABLES, ...(context.extraVariables ?? [])];

  const unknown = (name: string) => unknownName('field', name, [...known]);
  options.fields?.forEach((name, i) => {
    if (!known.has(name)) problems.push({ path: ['fields', i], message: unknown(name) });
  });
  if (options.mapping && options.body.kind !== 'form') problems.push({ path: ['mapping'], message: mappingBesideTemplate(options.body.kind) });
  const sentAs = new Map<string, string>();
  for (const [name, as] of Object.entries(options.mapping ?? {})) {
    if (!known.has(name)) problems.push({ path: ['mapping', name], message: unknown(name) });
    const other = sentAs.get(as);
    if (other !== undefined) problems.push({ path: ['mapping', name], message: `'${as}' is already the name of field '${other}'` });
    sentAs.set(as, name);
  }
  const fields = (options.fields ?? campaign.fields.map((f) => f.name)).map((field) => ({ field, as: options.mapping?.[field] ?? field }));

  for (const p of options.classify ? selectorProblems(options.classify) : []) problems.push({ path: ['classify', ...p.path], message: p.message });

  const url = prepareBuyerUrl(resolved(options.url, ['url']), tools.templates, variables, problems);
  // Checked now, like `url`, so a bad test endpoint is a load problem and not a surprise in `cli send`.
  if (options.testUrl !== undefined) prepareBuyerUrl(resolved(options.testUrl, ['testUrl']), tools.templates, variables, problems, 'testUrl');

  let body: PreparedHttpPost['body'] = { kind: 'form' };
  if (options.body.kind !== 'form') {
    if (options.method === 'GET') problems.push({ path: ['body'], message: 'a GET sends the fields as its query string and has no body' });
    const name = `body (${options.body.kind})`;
    try {
      body = { kind: options.body.kind, name, template: tools.templates.compile(options.body.template, { name, escape: ESCAPES[options.body.kind], variables }) };
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push({ path: ['body'], message: error.message });
    }
  }

  const headers: Record<string, string> = { 'user-agent': 'leadrelay' };
  if (options.method !== 'GET') {
    headers['content-type'] = options.body.kind === 'text' ? options.body.contentType : CONTENT_TYPES[options.body.kind];
  }
  for (const [name, value] of Object.entries(options.headers)) {
    const lower = name.toLowerCase();
    const text = resolved(value, ['headers', name]);
    if (!TOKEN.test(name)) problems.push({ path: ['headers', name], message: 'is not a valid header name' });
    else if (RESERVED_HEADERS.has(lower)) problems.push({ path: ['headers', name], message: 'is set by leadrelay and cannot be configured' });
    else if (lower === 'authorization' && options.auth) problems.push({ path: ['headers', name], message: 'conflicts with auth' });
    else if (options.signing && SIGNATURE_HEADERS.includes(lower)) problems.push({ path: ['headers', name], message: 'is set by signing' });
    else if (/[^\t\x20-\x7e\x80-\xff]/.test(text)) problems.push({ path: ['headers', name], message: 'a header value must be one line of Latin-1 text' });
    else headers[lower] = text;
  }

  const credentials =
    options.auth?.kind === 'basic'
      ? { username: resolved(options.auth.username, ['auth', 'username']), password: resolved(options.auth.password, ['auth', 'password']) }
      : url?.credentials;
  if (options.auth?.kind === 'bearer') headers.authorization = `Bearer ${resolved(options.auth.token, ['auth', 'token'])}`;
  else if (credentials) headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

  let key: Buffer | undefined;
  if (options.signing) {
    key = signingKey(resolved(options.signing.secret, ['signing', 'secret']));
    if (!key || key.length === 0) problems.push({ path: ['signing', 'secret'], message: "a 'whsec_' secret must be followed by base64" });
  }

  if (options.classify?.kind === 'leadconduit') {
    problems.push(...captureProblems(options.classify.options).map((p) => ({ path: ['classify', ...p.path], message: p.message })));
  }

  if (problems.length > 0 || !url) throw new PluginConfigError(problems);
  return { url, fields, body, headers, signingKey: key };
}
