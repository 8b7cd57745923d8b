import type { Code } from './campaign-code.writer';
import { formPairs, jsonTemplate, Leaf, queryTemplate, unflatten, xmlPath, xmlTemplate, type FormPair } from './leadconduit-body.template';
import type { ImportDraft } from './leadconduit-import.draft';
import type { SettingValue } from './leadconduit-step.reader';
import { LEAD_OWN_VARIABLES, looksSecret, parseValue, soleVariable } from './leadconduit-value.template';

/** LeadConduit's four custom integrations and the wildcard setting each builds its request from. */
export type Integration = 'json' | 'form' | 'xml' | 'query';
export const BODY_GROUPS: Record<Integration, string> = { json: 'json_property', form: 'form_field', xml: 'xml_path', query: 'parameter' };
/** The methods LeadConduit's validation lets each integration use (form and query have one, fixed). */
const METHODS: Record<Integration, string[]> = { json: ['POST', 'PUT', 'DELETE'], xml: ['POST', 'PUT'], form: ['POST'], query: ['GET'] };
/** Headers leadrelay sets itself (plugins/http-post/http-post.prepare.ts), and Accept, which LeadConduit refuses. */
const NOT_CONFIGURABLE = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'idempotency-key', 'accept']);

/** Settings under `prefix.` (`header.X-Api-Key` → `X-Api-Key`), in order. */
export function group(settings: Map<string, SettingValue>, prefix: string): [string, SettingValue][] {
  return [...settings].filter(([name]) => name.startsWith(`${prefix}.`)).map(([name, value]) => [name.slice(prefix.length + 1), value]);
}

/** The group's values as template leaves; what cannot be carried (or is a secret) is left out and said. */
function leaves(draft: ImportDraft, settings: Map<string, SettingValue>, prefix: string, where: 'body' | 'url'): [string, Leaf][] {
  const result: [string, Leaf][] = [];
  for (const [path, value] of group(settings, prefix)) {
    const parsed = parseValue(value);
    if ('unsupported' in parsed) draft.skip(`${prefix}.${path}`, value, parsed.unsupported);
    else if (where === 'body' && parsed.constant !== undefined && looksSecret(path, parsed.constant)) {
      draft.skip(`${prefix}.${path}`, value, 'looks like a secret, and a body template cannot read env() (the value would be in git): left out');
    } else {
      for (const part of parsed.parts) if ('variable' in part && !LEAD_OWN_VARIABLES.has(part.variable)) draft.fields.add(part.variable);
      result.push([path, new Leaf(parsed.parts, parsed.constant)]);
    }
  }
  return result;
}

export function importMethod(draft: ImportDraft, integration: Integration, value: SettingValue | undefined): void {
  const method = value === undefined || value === '' ? undefined : String(value).trim().toUpperCase();
  const allowed = METHODS[integration];
  if (method && !allowed.includes(method)) {
    if (allowed.length === 1) draft.skip('method', value!, `LeadConduit's ${integration} integration always sends ${allowed[0]}`);
    else draft.problems.push(`method: '${value}' is not one LeadConduit's ${integration} integration sends (${allowed.join(', ')})`);
  } else if (method === 'DELETE') {
    draft.problems.push("method: DELETE cannot be carried over: httpPost sends POST, PUT, PATCH or GET");
  }
  const sent = allowed.length === 1 ? allowed[0] : (method ?? 'POST');
  if (sent !== 'POST') draft.options.method = sent;
}

/** The request body, and for `query` the parameters: each as LeadConduit builds it. */
export function importBody(draft: ImportDraft, integration: Integration, settings: Map<string, SettingValue>): FormPair[] {
  const prefix = BODY_GROUPS[integration];
  if (integration === 'json') {
    draft.options.body = draft.helper('json', jsonTemplate(unflatten(leaves(draft, settings, prefix, 'body'), draft.problems, prefix)));
  } else if (integration === 'xml') {
    const entries = leaves(draft, settings, prefix, 'body').map(([path, leaf]): [string, Leaf] => [xmlPath(path), leaf]);
    const template = xmlTemplate(unflatten(entries, draft.problems, prefix), draft.problems);
    if (template !== undefined) draft.options.body = draft.helper('xml', template);
  } else if (integration === 'form') {
    importForm(draft, formPairs(unflatten(leaves(draft, settings, prefix, 'body'), draft.problems, prefix), draft.problems, prefix));
  } else {
    return formPairs(unflatten(leaves(draft, settings, prefix, 'url'), draft.problems, prefix), draft.problems, prefix);
  }
  return [];
}

/**
 * The last pairs that are each one campaign field, no field or name twice: what `form()` and a
 * GET's query send from `fields` and `mapping` (percent-encoded for any value), after what the URL
 * itself carries, so LeadConduit's order holds. The pairs before them are `rest`.
 */
function trailingFields(pairs: FormPair[]): { fields: string[]; mapping: Record<string, string>; rest: FormPair[] } {
  const fields: string[] = [];
  const names: string[] = [];
  let first = pairs.length;
  while (first > 0) {
    const { name, leaf } = pairs[first - 1];
    const field = soleVariable(leaf.parts);
    if (!field || LEAD_OWN_VARIABLES.has(field) || fields.includes(field) || names.includes(name)) break;
    fields.unshift(field);
    names.unshift(name);
    first--;
  }
  const mapping = Object.fromEntries(fields.map((field, i) => [field, names[i]]).filter(([field, name]) => field !== name));
  return { fields, mapping, rest: pairs.slice(0, first) };
}

function setFields(draft: ImportDraft, fields: string[], mapping: Record<string, string>): void {
  draft.options.fields = fields;
  if (Object.keys(mapping).length > 0) draft.options.mapping = mapping;
}

function importForm(draft: ImportDraft, pairs: FormPair[]): void {
  const { fields, mapping, rest } = trailingFields(pairs);
  if (pairs.length > 0 && rest.length === 0) {
    setFields(draft, fields, mapping);
    return;
  }
  // Constants, repeated names and values made of several parts: only a text template writes them.
  draft.options.body = draft.helper('text', queryTemplate(pairs), 'application/x-www-form-urlencoded');
  const raw = [...new Set(pairs.flatMap((p) => p.leaf.parts.flatMap((part) => ('variable' in part ? [part.variable] : []))))];
  if (raw.length > 0) {
    draft.checks.push(`a text() body writes lead values as they are, not percent-encoded as LeadConduit does: ${raw.join(', ')} must not hold &, =, +, % or spaces, or the buyer reads them differently`);
  }
}

/**
 * The posting URL: the `url` setting, then (for the query integration) the parameters LeadConduit
 * appends; a GET sends the trailing single-field ones from `fields`. Credentials or a secret-looking query
 * value put the whole URL in `env()`, its value shown in a comment with the secret left out.
 */
export function importUrl(draft: ImportDraft, value: SettingValue | undefined, parameters: FormPair[]): void {
  const url = typeof value === 'string' ? value.trim() : '';
  if (!url) {
    draft.problems.push('url: the step has no url');
    return;
  }
  const [base, query = ''] = url.split(/\?(.*)/s, 2);
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    draft.problems.push(`url: '${url}' is not a URL`);
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') draft.problems.push(`url: must be http or https, not ${parsed.protocol.replace(/:$/, '')}`);
  if (base.includes('{{')) draft.problems.push('url: only query values may be templates in leadrelay (…?source={{lead.source}})');
  // Credentials in the URL are sent as basic authentication by leadrelay too; they stay out of git.
  let secret = parsed.username !== '' || parsed.password !== '';

  const pairs: string[] = [];
  const shown: string[] = [];
  for (const pair of query.split('&').filter((p) => p !== '')) {
    const [name, text = ''] = pair.split(/=(.*)/s, 2);
    const parsedValue = parseValue(decodeURIComponentSafe(text));
    if ('unsupported' in parsedValue) {
      draft.problems.push(`url: query value '${name}': ${parsedValue.unsupported}`);
      continue;
    }
    const isSecret = parsedValue.constant !== undefined && looksSecret(name, parsedValue.constant);
    secret ||= isSecret;
    const written = parsedValue.constant !== undefined ? pair : queryTemplate([{ name: decodeURIComponentSafe(name), leaf: new Leaf(parsedValue.parts) }]);
    pairs.push(written);
    shown.push(isSecret ? `${name}=<secret>` : written);
  }

  const { fields, mapping, rest } = draft.options.method === 'GET' ? trailingFields(parameters) : { fields: [], mapping: {}, rest: parameters };
  for (const parameter of rest) {
    const isSecret = parameter.leaf.constant !== undefined && looksSecret(parameter.name, parameter.leaf.constant);
    secret ||= isSecret;
    pairs.push(queryTemplate([parameter]));
    shown.push(isSecret ? `${encodeURIComponent(parameter.name)}=<secret>` : queryTemplate([parameter]));
  }
  if (fields.length > 0) setFields(draft, fields, mapping);
  else if (draft.options.method === 'GET') {
    draft.checks.push('a GET also sends `fields` as query parameters, every campaign field when none are listed; LeadConduit sent only its parameters: list the ones the buyer wants in `fields`');
  }

  const written = pairs.length > 0 ? `${base}?${pairs.join('&')}` : base;
  if (!secret) {
    draft.options.url = written;
    return;
  }
  draft.options.url = draft.secret('url', 'url');
  const maskedBase = base.replace(/\/\/[^@/]*@/, '//<secret>@');
  draft.checks.push(`the URL carries a secret, so it is read from the environment; its value is ${maskedBase}${shown.length ? `?${shown.join('&')}` : ''} with the secret filled in`);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `header.*`: constants only (leadrelay headers are not templates); secret-looking ones through `env()`. */
export function importHeaders(draft: ImportDraft, settings: Map<string, SettingValue>, integration: Integration): void {
  const headers: Record<string, Code | string> = {};
  for (const [name, value] of group(settings, 'header')) {
    const parsed = parseValue(value);
    // LeadConduit drops a header whose value is empty.
    if (String(value).trim() === '') continue;
    if ('unsupported' in parsed) draft.skip(`header.${name}`, value, parsed.unsupported);
    else if (parsed.constant === undefined) draft.skip(`header.${name}`, value, 'leadrelay header values are not templates');
    else if (NOT_CONFIGURABLE.has(name.toLowerCase())) draft.skip(`header.${name}`, value, name.toLowerCase() === 'accept' ? 'LeadConduit refuses an Accept header' : 'leadrelay sets this header itself');
    else headers[name] = looksSecret(name, parsed.constant) ? draft.secret(name, `header.${name}`) : String(parsed.constant);
  }
  // LeadConduit's XML integration sends text/xml unless told otherwise; xml() alone would say application/xml.
  if (integration === 'xml' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'text/xml';
  if (Object.keys(headers).length > 0) draft.options.headers = headers;
}

/** `basic_username` / `basic_password`: sent by LeadConduit only when both are set, and only when no Authorization header is. */
export function importBasicAuth(draft: ImportDraft, settings: Map<string, SettingValue>): void {
  const username = settings.get('basic_username');
  const password = settings.get('basic_password');
  if (!username && !password) return;
  if (!username || !password) {
    draft.skip(username ? 'basic_username' : 'basic_password', username ? username : undefined, 'LeadConduit sends basic authentication only with both basic_username and basic_password');
    return;
  }
  if (draft.options.headers && Object.keys(draft.options.headers).some((h) => h.toLowerCase() === 'authorization')) {
    draft.skip('basic_username, basic_password', undefined, 'header.Authorization is sent instead, as in LeadConduit');
    return;
  }
  if (String(username).includes('{{') || String(password).includes('{{')) {
    draft.skip('basic_username, basic_password', undefined, 'leadrelay credentials are not templates');
    return;
  }
  const user = looksSecret('basic_username', username) ? draft.secret('username', 'basic_username') : String(username);
  draft.options.auth = draft.helper('basic', user, draft.secret('password', 'basic_password'));
}
