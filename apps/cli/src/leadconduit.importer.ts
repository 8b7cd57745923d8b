import { comment, writeCode } from './campaign-code.writer';
import { ImportDraft, upperSnake } from './leadconduit-import.draft';
import { BODY_GROUPS, group, importBasicAuth, importBody, importHeaders, importMethod, importUrl, type Integration } from './leadconduit-request.import';
import { readStep, type LeadConduitStep, type SettingValue } from './leadconduit-step.reader';

/** What `cli import leadconduit` prints: the block, or every problem that stops it. */
export type ImportResult = { code: string } | { problems: string[] };

/** LeadConduit's response options with the same name and meaning in `leadconduit({...})`. */
const RESPONSE_OPTIONS = [
  'outcome_search_term',
  'outcome_search_path',
  'outcome_on_match',
  'reason_path',
  'default_reason',
  'price_path',
  'fallback_price',
  'reference_path',
  'response_content_type_override',
  'cookie_search_term',
] as const;
const REQUEST_SETTINGS = ['url', 'method', 'basic_username', 'basic_password', 'timeout_seconds', 'follow_redirects'];
const GROUPS = ['header', 'capture', ...Object.values(BODY_GROUPS)];
/** Settings LeadConduit has and leadrelay does not, with the value that changes nothing. */
const NOT_SUPPORTED: Record<string, { harmless?: string; why: string }> = {
  send_ascii: { harmless: 'false', why: 'leadrelay sends lead values as they are, not transliterated to ASCII' },
  encode_form_field_names: { harmless: 'true', why: 'leadrelay always percent-encodes form field names' },
  json_parameter: { why: 'sending the body inside a form parameter is not supported' },
  xml_parameter: { why: 'sending the body inside a form parameter is not supported' },
};
const MAX_TIMEOUT_MS = 120_000;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/**
 * Turns a LeadConduit custom integration step into an `httpPost({...})` block for a campaign file
 * (docs/campaigns.md › import leadconduit): same request, same reading of the answer, secrets as
 * `env()`, and a comment for each setting that could not be carried over.
 */
export function importLeadConduit(input: unknown, options: { id?: string } = {}): ImportResult {
  const step = readStep(input);
  if (step.problems.length > 0) return { problems: step.problems };
  const id = options.id ?? slugOf(step.entityName) ?? 'buyer';
  if (!SLUG.test(id)) return { problems: [`--id: '${id}' is not a delivery id (lower-case letters, digits and dashes, at most 64)`] };

  const draft = new ImportDraft(id, upperSnake(id));
  draft.notCarried.push(...step.notCarried);
  draft.options.id = id;
  const integration = integrationOf(step, draft);
  if (!integration) return { problems: draft.problems };

  importMethod(draft, integration, step.settings.get('method'));
  const parameters = importBody(draft, integration, step.settings);
  importUrl(draft, step.settings.get('url'), parameters);
  importHeaders(draft, step.settings, integration);
  importBasicAuth(draft, step.settings);
  importTimeout(draft, step.settings.get('timeout_seconds'));
  importRedirects(draft, integration, step.settings.get('follow_redirects'));
  draft.options.classify = importClassifier(draft, step.settings);
  skipTheRest(draft, integration, step.settings);

  if (draft.problems.length > 0) return { problems: draft.problems };
  return { code: write(draft, step.moduleId ?? `the ${integration} integration`) };
}

function slugOf(name: string | undefined): string | undefined {
  const slug = name
    ?.toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || undefined;
}

/** Which integration: the step's `module_id`, else the one kind of body setting it has. */
function integrationOf(step: LeadConduitStep, draft: ImportDraft): Integration | undefined {
  const kinds = Object.keys(BODY_GROUPS) as Integration[];
  if (step.moduleId !== undefined) {
    const kind = /^leadconduit-custom\.outbound\.(\w+)$/.exec(step.moduleId)?.[1];
    if (kind === 'soap') draft.problems.push("module_id: LeadConduit's SOAP integration cannot be carried over (httpPost sends no SOAP envelopes)");
    else if (!kinds.includes(kind as Integration)) {
      draft.problems.push(`module_id: '${step.moduleId}' is not a LeadConduit custom integration (leadconduit-custom.outbound.json, .form, .xml or .query)`);
    }
    return draft.problems.length > 0 ? undefined : (kind as Integration);
  }
  const present = kinds.filter((k) => group(step.settings, BODY_GROUPS[k]).length > 0);
  if (present.length === 1) return present[0];
  const names = kinds.map((k) => `${BODY_GROUPS[k]}.*`).join(', ');
  draft.problems.push(
    present.length === 0
      ? `no ${names} settings and no module_id: cannot tell which LeadConduit integration this is`
      : `settings of ${present.map((k) => `${BODY_GROUPS[k]}.*`).join(' and ')}: give the step's module_id to say which integration it is`,
  );
  return undefined;
}

function importTimeout(draft: ImportDraft, value: SettingValue | undefined): void {
  if (value === undefined || value === '') return;
  const seconds = Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(seconds) || seconds <= 0) {
    draft.problems.push(`timeout_seconds: '${value}' is not a number of seconds`);
    return;
  }
  const ms = Math.round(seconds * 1000);
  if (ms > MAX_TIMEOUT_MS) draft.skip('timeout_seconds', value, `more than leadrelay's longest time-out, ${MAX_TIMEOUT_MS / 1000} s, which is used instead`);
  draft.options.timeoutMs = Math.min(Math.max(ms, 1), MAX_TIMEOUT_MS);
}

const BOOLEAN: Record<string, boolean> = { true: true, yes: true, y: true, t: true, '1': true, false: false, no: false, n: false, f: false, '0': false };

/** LeadConduit follows a GET's redirects always; `follow_redirects` is about the other methods. */
function importRedirects(draft: ImportDraft, integration: Integration, value: SettingValue | undefined): void {
  const follow = value === undefined || value === '' ? undefined : BOOLEAN[String(value).trim().toLowerCase()];
  if (value !== undefined && value !== '' && follow === undefined) draft.problems.push(`follow_redirects: '${value}' is not true or false`);
  if (integration === 'query' || follow) draft.options.followRedirects = true;
}

/** `leadconduit({...})` always: without it the status alone would decide, which is not LeadConduit's reading. */
function importClassifier(draft: ImportDraft, settings: Map<string, SettingValue>) {
  const options: Record<string, string | Record<string, string>> = {};
  for (const name of RESPONSE_OPTIONS) {
    const value = settings.get(name);
    if (value === undefined || String(value).trim() === '') continue;
    if (String(value).includes('{{')) draft.skip(name, value, 'leadrelay reads the answer with fixed settings, not templates');
    else if (name === 'outcome_on_match' && !['success', 'failure', 'error'].includes(String(value).trim().toLowerCase())) {
      draft.problems.push(`outcome_on_match: '${value}' must be success, failure or error`);
    } else if (name === 'fallback_price' && !Number.isFinite(Number(value))) draft.problems.push(`fallback_price: '${value}' is not a number`);
    else options[name] = name === 'outcome_on_match' ? String(value).trim().toLowerCase() : String(value);
  }
  const capture: Record<string, string> = {};
  for (const [name, value] of group(settings, 'capture')) {
    if (String(value).trim() !== '') capture[name] = String(value);
  }
  if (Object.keys(capture).length > 0) options.capture = capture;
  return Object.keys(options).length > 0 ? draft.helper('leadconduit', options) : draft.helper('leadconduit');
}

/** Every setting not read above gets its comment: nothing is dropped silently. */
function skipTheRest(draft: ImportDraft, integration: Integration, settings: Map<string, SettingValue>): void {
  const read = new Set<string>([...REQUEST_SETTINGS, ...RESPONSE_OPTIONS]);
  for (const [name, value] of settings) {
    const prefix = name.split('.')[0];
    if (read.has(name) || (name.includes('.') && ['header', 'capture', BODY_GROUPS[integration]].includes(prefix))) continue;
    const known = NOT_SUPPORTED[name];
    if (known) {
      if (String(value).trim().toLowerCase() !== known.harmless && String(value).trim() !== '') draft.skip(name, value, known.why);
    } else if (prefix === 'extra_parameter') draft.skip(name, value, 'sending the body inside a form parameter is not supported');
    else if (GROUPS.includes(prefix) && name.includes('.')) draft.skip(name, value, `LeadConduit's ${integration} integration does not send ${prefix}.* settings`);
    else draft.skip(name, value, "not a LeadConduit custom integration setting the importer knows");
  }
}

function write(draft: ImportDraft, source: string): string {
  const lines = [
    comment(`Imported from a LeadConduit step (${source}) by \`cli import leadconduit\`; see docs/campaigns.md › import leadconduit.`),
    comment(`import { ${[...draft.helpers].sort().join(', ')} } from '@leadrelay/sdk';`),
  ];
  if (draft.fields.size > 0) lines.push(comment(`campaign fields used (declare them in the campaign's fields): ${[...draft.fields].join(', ')}`));
  if (draft.env.length > 0) lines.push(comment(`set in the environment: ${draft.env.join(', ')}`));
  for (const text of draft.notCarried) lines.push(comment(`not carried over: ${text}`));
  for (const text of draft.checks) lines.push(comment(`check: ${text}`));
  lines.push(`httpPost(${writeCode(draft.options)})`);
  return `${lines.join('\n')}\n`;
}
