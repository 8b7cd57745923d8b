import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { leadconduit, type BuyerResponse, type LeadConduitOptions } from '@leadrelay/sdk';
import { checkCommand } from '../apps/cli/src/check.command';
import { importCommand } from '../apps/cli/src/import.command';
import { classifyCommand, previewCommand } from '../apps/cli/src/preview.command';
import { classify } from '../plugins/http-post/classify';
import { sink } from './support/output-sink';

const ROOT = path.resolve(__dirname, '..');
const STEPS = path.join(__dirname, 'cli-import');
const CASES = (JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/leadconduit-response-cases.json'), 'utf8')) as { cases: ResponseCase[] }).cases;

interface ResponseCase {
  id: string;
  options: LeadConduitOptions;
  response: { status: number; headers: Record<string, string>; body: string };
  expected: { outcome?: string; reason?: string; price?: number | string; reference?: string };
}

/** Runs `cli import leadconduit` on a step given as a file of test/cli-import or as a value. */
function runImport(step: string | unknown, ...extra: string[]) {
  const out = sink();
  const err = sink();
  let file = typeof step === 'string' ? path.join(STEPS, step) : '';
  if (typeof step !== 'string') {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-import-')), 'step.json');
    fs.writeFileSync(file, JSON.stringify(step));
  }
  const code = importCommand(['leadconduit', file, ...extra], out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

/** What the block's comments say: helpers to import, fields to declare, variables to set. */
function commented(block: string) {
  const list = (pattern: RegExp) => (pattern.exec(block)?.[1] ?? '').split(', ').filter(Boolean);
  return {
    helpers: list(/^\/\/ import \{ (.*) \} from '@leadrelay\/sdk';$/m),
    fields: list(/^\/\/ campaign fields used \(declare them in the campaign's fields\): (.*)$/m),
    env: list(/^\/\/ set in the environment: (.*)$/m).map((e) => e.split(' ')[0]),
  };
}

/** A campaign file holding imported blocks as they are printed, with the fields they name. */
function writeCampaign(dir: string, id: string, blocks: string[]): string {
  const about = blocks.map(commented);
  const helpers = [...new Set(['defineCampaign', 'field', ...about.flatMap((a) => a.helpers)])].sort();
  const fields = [...new Set(about.flatMap((a) => a.fields))];
  const file = path.join(dir, `${id}.campaign.ts`);
  fs.writeFileSync(
    file,
    `import { ${helpers.join(', ')} } from '@leadrelay/sdk';

export default defineCampaign({
  id: '${id}',
  name: 'Imported from LeadConduit',
  intakeKeys: ['k'],
  fields: [${fields.map((f) => `field.text('${f}')`).join(', ')}],
  deliveries: [
${blocks.join(',\n')}
  ],
});
`,
  );
  return file;
}

/** The file's TypeScript errors, compiled with the project's settings. */
function typeErrors(file: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram([file], { ...config.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined, rootDir: undefined });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => `${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** Values of the variables the imported blocks name, as a deploy would set them (the URLs as the blocks' comments say). */
const ENV_VALUES: Record<string, string> = {
  XML_BUYER_URL: 'https://partner:s3cret@xml.example/intake',
  QUERY_BUYER_URL: 'https://get.example/lead?key=a1b2c3d4e5f6a7b8c9d0e1f2&name={{first_name}}%20{{last_name}}&tag=solar&tag=tx',
};

/** Sets the variables for the duration of `work`. */
async function withEnv<T>(names: string[], work: () => Promise<T>): Promise<T> {
  const before = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) process.env[n] = ENV_VALUES[n] ?? `value-of-${n}`;
  try {
    return await work();
  } finally {
    for (const [n, v] of before) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  }
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-imported-'));

describe('cli import leadconduit (docs/campaigns.md › import leadconduit)', () => {
  it('turns a step covering every option into a block that compiles and passes check, secrets as env()', async () => {
    const files = ['every-option.step.json', 'form.integration.json', 'xml.mappings.json', 'query.flat.json'];
    const ids = ['acme-crm', 'form-buyer', 'xml-buyer', 'query-buyer'];
    const results = files.map((f, i) => runImport(f, ...(i === 0 ? [] : ['--id', ids[i]])));
    for (const r of results) expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    const [every, form, xmlBlock, query] = results.map((r) => r.out);

    // Every request and response option of the step, carried over under leadrelay's names.
    expect(every).toContain("id: 'acme-crm',"); // from the recipient's name
    expect(every).toContain("url: 'https://api.acme.example/v2/leads?source=leadconduit',");
    expect(every).toContain("method: 'PUT',");
    expect(every).toContain(
      `body: json('{"contact":{"email":{{json email}},"name":"{{first_name}} {{last_name}}","phones":[{{json phone_1}},{{json phone_2}}]},"lead_id":{{json lead_id}},"received":{{json received_at}},"vendor":"leadrelay","state":{{json state}}}'),`,
    );
    expect(every).toContain("headers: { 'X-Api-Key': env('ACME_CRM_X_API_KEY'), 'X-Partner': 'leadrelay', 'Content-Type': 'application/json' },");
    expect(every).toContain("auth: basic('acme-user', env('ACME_CRM_PASSWORD')),");
    expect(every).toContain('timeoutMs: 30000,');
    expect(every).toContain('followRedirects: true,');
    expect(every).toContain(
      "classify: leadconduit({ outcome_search_term: 'accepted|duplicate', outcome_search_path: 'result.status', outcome_on_match: 'success', reason_path: 'result.errors.*.message', default_reason: 'Refused by Acme', price_path: 'result.price', fallback_price: '2.50', reference_path: 'result.id', response_content_type_override: 'application/json', cookie_search_term: 'ACMESESSION', capture: { order_number: '/order #(\\\\d+)/i', batch: 'batch=(\\\\w+)' } }),",
    );
    // …and a comment for each thing that could not be.
    const notCarried = every.split('\n').filter((l) => l.startsWith('// not carried over: ')).map((l) => l.slice(21).split(/[ :=]/)[0]);
    expect(notCarried).toEqual(['step', 'json_property.state', 'json_property.auth_token', 'json_property.zip', 'header.X-Lead', 'parameter.campaign', 'send_ascii', 'preferences.terms.isGranted']);
    expect(form).toMatch(/^\/\/ not carried over: method = "PUT": LeadConduit's form integration always sends POST$/m);
    expect(form).toMatch(/^\/\/ not carried over: basic_username, basic_password: header.Authorization is sent instead/m);
    expect(form).toMatch(/^\/\/ not carried over: timeout_seconds = "300": more than leadrelay's longest time-out/m);
    expect(form).toContain("body: text('first={{first_name}}&phone={{phone_1}}&phone={{phone_2}}&vendor=lead%20relay', 'application/x-www-form-urlencoded'),");
    expect(form).toMatch(/^\/\/ check: a text\(\) body writes lead values as they are.*: first_name, phone_1, phone_2 /m);
    expect(xmlBlock).toContain("url: env('XML_BUYER_URL'),");
    expect(xmlBlock).toContain('<contact type="person">');
    expect(query).toContain("url: env('QUERY_BUYER_URL'),");
    expect(query).toMatch(/its value is https:\/\/get\.example\/lead\?key=<secret>&name=\{\{first_name\}\}%20\{\{last_name\}\}&tag=solar&tag=tx with/);

    // No secret of the steps is printed, in the block or in its comments.
    const secrets = ['ak_live_0f9e8d7c6b5a4f3e2d1c', 'correct horse battery staple', 'tok_5b4a3c2d1e0f9a8b7c6d', '9f8e7d6c5b4a', 'k-123', 's3cret', 'a1b2c3d4e5f6a7b8c9d0e1f2'];
    for (const secret of secrets) for (const block of results.map((r) => r.out)) expect(block).not.toContain(secret);

    const dir = tempDir();
    try {
      const file = writeCampaign(dir, 'imported', results.map((r) => r.out));
      expect(typeErrors(file)).toEqual([]);
      const env = results.flatMap((r) => commented(r.out).env);
      expect(env).toEqual(['ACME_CRM_X_API_KEY', 'ACME_CRM_PASSWORD', 'FORM_BUYER_AUTHORIZATION', 'XML_BUYER_URL', 'QUERY_BUYER_URL']);
      const out = sink();
      const err = sink();
      const code = await withEnv(env, () => checkCommand(dir, out.stream, err.stream));
      expect({ code, err: err.text() }).toEqual({ code: 0, err: '' });
      expect(out.text()).toContain('acme-crm (PUT https://api.acme.example/v2/leads)');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('reads the step, its integration, its mappings or a flat object of settings alike', () => {
    const mappings = [
      { property: 'url', value: 'https://buyer.example/leads' },
      { property: 'json_property.email', value: '{{lead.email}}' },
      { property: 'header.X-Source', value: 'lc' },
      { property: 'outcome_search_term', value: 'ok' },
    ];
    const shapes = [
      { entity: { name: 'Same Buyer' }, integration: { module_id: 'leadconduit-custom.outbound.json', mappings } },
      { module_id: 'leadconduit-custom.outbound.json', mappings },
      mappings,
      { url: 'https://buyer.example/leads', json_property: { email: '{{lead.email}}' }, header: { 'X-Source': 'lc' }, outcome_search_term: 'ok' },
    ];
    const blocks = shapes.map((s) => runImport(s, '--id', 'same-buyer')).map((r) => (expect(r.code).toBe(0), r.out.split('\n').filter((l) => !l.startsWith('// Imported')).join('\n')));
    for (const block of blocks) expect(block).toBe(blocks[0]);
    expect(blocks[0]).toContain(`body: json('{"email":{{json email}}}'),`);
    const fromStdin = sink();
    expect(importCommand(['leadconduit', '-', '--id', 'same-buyer'], fromStdin.stream, sink().stream, () => JSON.stringify(shapes[1]))).toBe(0);
    expect(fromStdin.text().split('\n').slice(1).join('\n')).toBe(blocks[1]);
  });

  describe('classifies the LeadConduit response cases like leadconduit() with the same settings', () => {
    // One campaign folder per case, so that a case the check refuses does not hide the others.
    const dirs = new Map<string, string>();
    beforeAll(() => {
      for (const c of CASES) {
        const imported = runImport({ url: 'https://buyer.example/leads', 'json_property.email': '{{lead.email}}', ...c.options }, '--id', c.id);
        expect({ id: c.id, code: imported.code, err: imported.err }).toEqual({ id: c.id, code: 0, err: '' });
        dirs.set(c.id, tempDir());
        writeCampaign(dirs.get(c.id)!, 'responses', [imported.out]);
      }
    });
    afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it.each(CASES.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
      const dir = dirs.get(c.id)!;
      const out = sink();
      const err = sink();
      const code = await classifyCommand(dir, 'responses', c.id, JSON.stringify(c.response), out.stream, err.stream);
      expect({ code, err: err.text() }).toEqual({ code: 0, err: '' });
      const read = JSON.parse(out.text());
      const headers = Object.fromEntries(Object.entries(c.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const direct = classify(leadconduit(c.options), { ...c.response, headers } as BuyerResponse);
      expect(read).toEqual(JSON.parse(JSON.stringify(direct)));
      if ('outcome' in c.expected) expect(read.outcome).toBe(c.expected.outcome);
      if ('reason' in c.expected) expect(read.reason).toBe(c.expected.reason);
      if ('price' in c.expected) expect(read.price).toBe(Number(c.expected.price));
    });
  });
});

/**
 * LeadConduit's own request-body test cases, each with the body LeadConduit produces for it as its
 * test suite asserts it: activeprospect/leadconduit-integration-custom, test/json-spec.js,
 * test/form-spec.js, test/query-spec.js and test/xml-spec.js. Their values are written here as
 * lead fields (`{{lead.a}}` with `a` in the sample lead) or kept as the constants they are.
 */
const BODY_CASES: { id: string; spec: string; settings: Record<string, unknown>; lead: Record<string, string>; body?: string; url?: string; contentType?: string }[] = [
  // test/json-spec.js
  { id: 'json-basic', spec: 'json: should have url, method, headers, and body', settings: { json_property: { fname: '{{lead.a}}', lname: '{{lead.b}}' } }, lead: { a: 'Mel', b: 'Gibson' }, body: '{"fname":"Mel","lname":"Gibson"}' },
  { id: 'json-dotted', spec: 'json: should support simple dot-notation', settings: { json_property: { 'foo.bar.baz': '{{lead.a}}' } }, lead: { a: 'bip' }, body: '{"foo":{"bar":{"baz":"bip"}}}' },
  { id: 'json-arrays', spec: 'json: should support dot-notation arrays', settings: { json_property: { 'foo.bar.baz.0': '{{lead.a}}', 'foo.bar.baz.1': '{{lead.b}}' } }, lead: { a: 'bip', b: 'bap' }, body: '{"foo":{"bar":{"baz":["bip","bap"]}}}' },
  { id: 'json-compact', spec: 'json: should compact array', settings: { json_property: { 'foo.0': '{{lead.a}}', 'foo.1': null, 'foo.2': 'bip' } }, lead: { a: 'baz' }, body: '{"foo":["baz","bip"]}' },
  { id: 'json-root-array', spec: 'json: should build array', settings: { json_property: { '0.foo.bar': '{{lead.a}}', '1.foo.bip': 'bap', '1.foo.bar': '{{lead.b}}' } }, lead: { a: 'baz', b: 'bip' }, body: '[{"foo":{"bar":"baz"}},{"foo":{"bip":"bap","bar":"bip"}}]' },
  { id: 'json-brackets', spec: 'json: should support brackets in key names', settings: { json_property: { 'foo.bar[what_is_your_interest]': '{{lead.a}}' } }, lead: { a: 'astrophysics' }, body: '{"foo":{"bar[what_is_your_interest]":"astrophysics"}}' },
  { id: 'json-missing-index', spec: 'json: should compact array with missing index', settings: { json_property: { '0.foo.bar': 'baz', '2.foo.bip': '{{lead.a}}', '2.foo.bar': 'bip' } }, lead: { a: 'bap' }, body: '[{"foo":{"bar":"baz"}},{"foo":{"bip":"bap","bar":"bip"}}]' },
  { id: 'json-leading-digit', spec: 'json: should build object even though a json property has a leading digit', settings: { json_property: { '0.foo.bar': '{{lead.a}}', bip: 'bap' } }, lead: { a: 'baz' }, body: '{"0":{"foo":{"bar":"baz"}},"bip":"bap"}' },
  // test/form-spec.js
  { id: 'form-basic', spec: 'form: should have url, method, headers, and body', settings: { form_field: { fname: '{{lead.a}}', lname: '{{lead.b}}' } }, lead: { a: 'Mel', b: 'Gibson' }, body: 'fname=Mel&lname=Gibson' },
  { id: 'form-dotted', spec: 'form: should support simple dot-notation', settings: { form_field: { 'foo.bar.baz': '{{lead.a}}' } }, lead: { a: 'bip' }, body: 'foo.bar.baz=bip' },
  { id: 'form-brackets', spec: 'form: should support simple bracket notation', settings: { form_field: { 'profile[what_is_your_interest]': '{{lead.a}}' } }, lead: { a: 'whatever' }, body: 'profile%5Bwhat_is_your_interest%5D=whatever' },
  { id: 'form-arrays', spec: 'form: should support dot-notation arrays', settings: { form_field: { 'foo.bar.baz.0': '{{lead.a}}', 'foo.bar.baz.1': '{{lead.b}}' } }, lead: { a: 'bip', b: 'bap' }, body: 'foo.bar.baz=bip&foo.bar.baz=bap' },
  { id: 'form-compact', spec: 'form: should compact dot-notation arrays', settings: { form_field: { 'foo.0': '{{lead.a}}', 'foo.4': '{{lead.b}}', 'bar.baz.2': 42, 'bar.baz.9': 55 } }, lead: { a: 'bip', b: 'bap' }, body: 'foo=bip&foo=bap&bar.baz=42&bar.baz=55' },
  { id: 'form-encoded', spec: 'form: should encode form_field names and values by default', settings: { form_field: { 'foo[bar]': '{{lead.a}}', 'foo[baz]': '{{lead.b}}' } }, lead: { a: '42', b: 'zippity[do]' }, body: 'foo%5Bbar%5D=42&foo%5Bbaz%5D=zippity%5Bdo%5D' },
  { id: 'form-encoded-constants', spec: 'form: should encode form_field names and values by default (as constants)', settings: { form_field: { 'foo[bar]': 42, 'foo[baz]': 'zippity[do]' } }, lead: {}, body: 'foo%5Bbar%5D=42&foo%5Bbaz%5D=zippity%5Bdo%5D' },
  // test/query-spec.js (LeadConduit sends `${url}?${query}`; the URL's path "/" is the same request)
  { id: 'query-basic', spec: 'query: should have url, method, and headers', settings: { url: 'http://foo.bar', parameter: { fname: '{{lead.a}}', lname: '{{lead.b}}' } }, lead: { a: 'Mel', b: 'Gibson' }, url: 'http://foo.bar?fname=Mel&lname=Gibson' },
  { id: 'query-dotted', spec: 'query: should support simple dot-notation', settings: { parameter: { 'foo.bar.baz': '{{lead.a}}' } }, lead: { a: 'bip' }, url: 'https://buyer.example/leads?foo.bar.baz=bip' },
  { id: 'query-arrays', spec: 'query: should support dot-notation arrays', settings: { parameter: { 'foo.bar.baz.0': '{{lead.a}}', 'foo.bar.baz.1': '{{lead.b}}' } }, lead: { a: 'bip', b: 'bap' }, url: 'https://buyer.example/leads?foo.bar.baz=bip&foo.bar.baz=bap' },
  { id: 'query-compact', spec: 'query: should compact array', settings: { parameter: { 'foo.0': 'bip', 'foo.2': '{{lead.a}}' } }, lead: { a: 'bap' }, url: 'https://buyer.example/leads?foo=bip&foo=bap' },
  // test/xml-spec.js
  { id: 'xml-basic', spec: 'xml: should have url, method, headers, and body', settings: { xml_path: { 'lead.fname': '{{lead.a}}', 'lead.lname': '{{lead.b}}' } }, lead: { a: 'Mel', b: 'Gibson' }, contentType: 'text/xml', body: '<?xml version="1.0"?>\n<lead>\n  <fname>Mel</fname>\n  <lname>Gibson</lname>\n</lead>' },
  { id: 'xml-dotted', spec: 'xml: should support simple dot-notation', settings: { xml_path: { 'foo.bar.baz': '{{lead.a}}' } }, lead: { a: 'bip' }, body: '<?xml version="1.0"?>\n<foo>\n  <bar>\n    <baz>bip</baz>\n  </bar>\n</foo>' },
  { id: 'xml-arrays', spec: 'xml: should support dot-notation arrays', settings: { xml_path: { 'foo.bar.baz.0': '{{lead.a}}', 'foo.bar.baz.1': '{{lead.b}}' } }, lead: { a: 'bip', b: 'bap' }, body: '<?xml version="1.0"?>\n<foo>\n  <bar>\n    <baz>bip</baz>\n    <baz>bap</baz>\n  </bar>\n</foo>' },
  { id: 'xml-compact', spec: 'xml: should compact array', settings: { xml_path: { 'foo.bar.0': '{{lead.a}}', 'foo.bar.2': 'bap' } }, lead: { a: 'bip' }, body: '<?xml version="1.0"?>\n<foo>\n  <bar>bip</bar>\n  <bar>bap</bar>\n</foo>' },
  { id: 'xml-attribute', spec: 'xml: should set attribute', settings: { xml_path: { 'foo.bar@id': '{{lead.a}}', 'foo.bar': 'baz' } }, lead: { a: '123' }, body: '<?xml version="1.0"?>\n<foo>\n  <bar id="123">baz</bar>\n</foo>' },
  { id: 'xml-array-attribute', spec: 'xml: should set attributes on arrays', settings: { xml_path: { 'foo.bar.0.@id': '123', 'foo.bar.0.#text': '{{lead.a}}' } }, lead: { a: 'baz' }, body: '<?xml version="1.0"?>\n<foo>\n  <bar id="123">baz</bar>\n</foo>' },
];

/** `cli preview` output: the request line, the headers (lower-case names) and the body. */
function parsePreview(text: string) {
  const [head, ...rest] = text.split('\n\n');
  const [requestLine, ...headerLines] = head.split('\n');
  const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  return { requestLine, headers, body: rest.join('\n\n').replace(/\n$/, '') };
}

describe('cli preview of an imported delivery sends the body LeadConduit sends (its request-body test cases)', () => {
  const dir = tempDir();
  beforeAll(() => {
    const blocks = BODY_CASES.map((c) => {
      const imported = runImport({ url: 'https://buyer.example/leads', ...c.settings }, '--id', c.id);
      expect({ id: c.id, code: imported.code, err: imported.err }).toEqual({ id: c.id, code: 0, err: '' });
      return imported.out;
    });
    writeCampaign(dir, 'bodies', blocks);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(BODY_CASES.map((c) => [`${c.id} (${c.spec})`, c] as const))('%s', async (_name, c) => {
    const out = sink();
    const err = sink();
    expect(await previewCommand(dir, 'bodies', c.id, JSON.stringify(c.lead), out.stream, err.stream)).toBe(0);
    expect(err.text()).toBe('');
    const { requestLine, headers, body } = parsePreview(out.text());
    if (c.url !== undefined) {
      const [method, url] = requestLine.split(' ');
      expect(method).toBe('GET');
      expect(url).toBe(new URL(c.url).href);
    }
    if (c.body !== undefined) {
      expect(requestLine).toBe('POST https://buyer.example/leads');
      expect(body).toBe(c.body);
    }
    if (c.contentType) expect(headers['content-type']).toBe(c.contentType);
  });
});

describe('cli import leadconduit refuses what it cannot read, printing nothing to paste', () => {
  const refused = (step: unknown, ...extra: string[]) => {
    const result = runImport(step, ...extra);
    expect(result.out).toBe('');
    expect(result.code).toBe(1);
    return result.err.split('\n').filter(Boolean).map((l) => l.replace(/^.*step\.json › /, ''));
  };

  it('lists every problem of a step at once', () => {
    const mappings = [{ property: 'method', value: 'DELETE' }, { property: 'outcome_on_match', value: 'maybe' }, { property: 'timeout_seconds', value: 'soon' }];
    expect(refused({ module_id: 'leadconduit-custom.outbound.json', mappings })).toEqual([
      'method: DELETE cannot be carried over: httpPost sends POST, PUT, PATCH or GET',
      'url: the step has no url',
      "timeout_seconds: 'soon' is not a number of seconds",
      "outcome_on_match: 'maybe' must be success, failure or error",
    ]);
  });

  it('says which integration it cannot tell or cannot carry', () => {
    expect(refused({ url: 'https://x.example', json_property: { a: '1' }, form_field: { b: '2' } })).toEqual(["settings of json_property.* and form_field.*: give the step's module_id to say which integration it is"]);
    expect(refused({ url: 'https://x.example' })).toEqual(['no json_property.*, form_field.*, xml_path.*, parameter.* settings and no module_id: cannot tell which LeadConduit integration this is']);
    expect(refused({ module_id: 'leadconduit-custom.outbound.soap', mappings: [] })).toEqual(["module_id: LeadConduit's SOAP integration cannot be carried over (httpPost sends no SOAP envelopes)"]);
    expect(refused({ module_id: 'leadconduit-salesforce.outbound', mappings: [] })[0]).toContain("module_id: 'leadconduit-salesforce.outbound' is not a LeadConduit custom integration");
  });

  it('refuses bad values, shapes and files with a clear message', () => {
    expect(refused({ url: 'ftp://x.example', json_property: { a: '1' } })).toEqual(['url: must be http or https, not ftp']);
    expect(refused({ url: 'https://x.example', xml_path: { 'a.b': '1', 'c.d': '2' } })).toEqual(['xml_path.*: an XML document has one root element; the paths start with a, c']);
    expect(refused({ url: 'https://x.example', json_property: { a: '1', 'a.b': '2' } })).toEqual(["json_property.a.b: 'a' is already a value"]);
    expect(refused([{ value: 'x' }])).toEqual(['mappings[0]: expected { "property": "<setting name>", "value": … }']);
    expect(refused({ url: 'https://x.example', json_property: { a: '1' } }, '--id', 'Not A Slug')).toEqual(["--id: 'Not A Slug' is not a delivery id (lower-case letters, digits and dashes, at most 64)"]);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'step.json'), '{ not json');
    const err = sink();
    expect(importCommand(['leadconduit', path.join(dir, 'step.json')], sink().stream, err.stream)).toBe(1);
    expect(err.text()).toMatch(/step\.json is not JSON: /);
    const usage = sink();
    expect(importCommand(['boberdoo', 'x.json'], sink().stream, usage.stream)).toBe(2);
    expect(usage.text()).toBe("Unknown importer 'boberdoo' (there is: leadconduit).\nusage: import leadconduit <step.json | -> [--id <delivery id>]\n");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
