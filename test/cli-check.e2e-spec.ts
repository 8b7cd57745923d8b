import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommand } from '../apps/cli/src/check.command';
import { sink } from './support/output-sink';

const ROOT = path.resolve(__dirname, '..');
const EVERYTHING = path.join(ROOT, 'test/fixtures/check-everything');
const FILE = 'test/fixtures/check-everything/everything.campaign.ts';

async function check(dir: string, options: { allowMissingEnv?: boolean } = {}) {
  const out = sink();
  const err = sink();
  const code = await checkCommand(dir, out.stream, err.stream, options);
  return { code, out: out.text(), err: err.text(), lines: err.text().split('\n').filter((l) => l.includes(' › ') && !l.startsWith('warning: ')) };
}

/** A campaign folder of its own, with the given files. */
function campaignDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-check-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const buyerCampaign = (classify: string, examples: string) => `import { defineCampaign, field, httpPost, leadconduit } from '@leadrelay/sdk';
export default defineCampaign({
  id: 'recorded',
  name: 'Recorded answers',
  intakeKeys: ['k'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'acme-xml',
      url: 'https://buyer.example/leads',
      classify: leadconduit(${classify}),
      examples: ${examples},
    }),
  ],
});
`;

const EXAMPLES = `[
  { name: 'accepted', response: { status: 200, headers: { 'content-type': 'text/xml' }, body: '<response><status>OK</status><id>A-17</id></response>' },
    expect: { outcome: 'delivered', reference: 'A-17' } },
  { name: 'duplicate', response: { file: 'fixtures/acme-dup.xml', status: 200, headers: { 'content-type': 'text/xml' } },
    expect: { outcome: 'rejected', reason: 'Duplicate' } },
]`;
const DUPLICATE = '<response><status>ERROR</status><error>Duplicate</error></response>';

describe('cli check finds everything (docs/campaigns.md › Checking campaign files)', () => {
  it('lists every kind of mistake of a file in one run, by delivery id, with the value and the nearest name', async () => {
    const { code, lines, err } = await check(EVERYTHING);
    expect(code).toBe(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        `${FILE} › deliveries[0].url: environment variable LEADRELAY_TEST_UNSET_ACME_URL is not set`,
        `${FILE} › deliveries[1].id: duplicate delivery id 'acme'`,
        `${FILE} › deliveries[1].url: must be http or https, not ftp`,
        `${FILE} › deliveries[daily].schedule.timeZone: unknown time zone 'America/Chicgo'; did you mean 'America/Chicago'?`,
        `${FILE} › deliveries[0].mapping.zipp: unknown field 'zipp' (campaign fields: email, zip, state); did you mean 'zip'?`,
        `${FILE} › deliveries[0].classify.reason_path: '//result[' is not a valid XPath`,
        `${FILE} › deliveries[templated].timeout: unknown option 'timeout'; did you mean 'timeoutMs'?`,
        expect.stringMatching(new RegExp(`^${FILE} › deliveries\\[templated\\]\\.mapping: does nothing beside a json\\(\\) body: write the buyer's names in the template itself`)),
        `${FILE} › deliveries[templated].body: unknown variable 'emial' (variables: email, zip, state, lead_id, received_at, campaign); did you mean 'email'? (line 1, column 18)`,
        // The type checker's view of the same file, in the same form.
        expect.stringMatching(new RegExp(`^${FILE} › 10:5: Type .*"zipp"`)),
        expect.stringMatching(new RegExp(`^${FILE} › 21:7: .*'timeout' does not exist.*Did you mean to write 'timeoutMs'\\? \\(TS2561\\)$`)),
      ]),
    );
    // Nothing else: an unset URL is not also "not a URL".
    expect(lines).toHaveLength(11);
    expect(err).toContain('11 problem(s) found.');
  });

  it('--allow-missing-env turns unset variables into warnings and checks the rest', async () => {
    const dir = campaignDir({
      'secret.campaign.ts': `import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';
export default defineCampaign({
  id: 'secret', name: 'Secrets in CI', intakeKeys: [env('LEADRELAY_TEST_UNSET_KEY')],
  fields: [field.email('email', { required: true })],
  deliveries: [httpPost({ id: 'buyer', url: env('LEADRELAY_TEST_UNSET_URL'), headers: { 'x-api-key': env('LEADRELAY_TEST_UNSET_TOKEN') } })],
});
`,
    });
    const strict = await check(dir);
    expect(strict.code).toBe(1);
    expect(strict.lines.map((l) => l.slice(l.indexOf(' › ') + 3)).sort()).toEqual([
      'deliveries[buyer].headers.x-api-key: environment variable LEADRELAY_TEST_UNSET_TOKEN is not set',
      'deliveries[buyer].url: environment variable LEADRELAY_TEST_UNSET_URL is not set',
      'intakeKeys[0]: environment variable LEADRELAY_TEST_UNSET_KEY is not set',
    ]);

    const relaxed = await check(dir, { allowMissingEnv: true });
    expect(relaxed.code).toBe(0);
    expect(relaxed.err.split('\n').filter((l) => l.startsWith('warning: '))).toHaveLength(3);
    expect(relaxed.out).toContain('1 campaign(s) valid.');

    // Warnings do not hide real mistakes.
    fs.appendFileSync(path.join(dir, 'secret.campaign.ts'), '\n');
    const broken = fs.readFileSync(path.join(dir, 'secret.campaign.ts'), 'utf8').replace("id: 'buyer',", "id: 'buyer', method: 'DELETE' as 'POST',");
    fs.writeFileSync(path.join(dir, 'secret.campaign.ts'), broken);
    const stillBroken = await check(dir, { allowMissingEnv: true });
    expect(stillBroken.code).toBe(1);
    expect(stillBroken.lines).toEqual([expect.stringContaining(`deliveries[buyer].method: Invalid option: expected one of "POST"|"PUT"|"PATCH"|"GET", not 'DELETE'`)]);
  });

  it('runs recorded buyer answers through the classifier: a failing example names itself and both readings; fixed, it passes', async () => {
    const wrong = buyerCampaign(`{ outcome_search_term: 'OK', outcome_search_path: '/response/status', reason_path: '/response/reason', reference_path: '/response/id' }`, EXAMPLES);
    const dir = campaignDir({ 'recorded.campaign.ts': wrong, 'fixtures/acme-dup.xml': DUPLICATE });
    const failing = await check(dir);
    expect(failing.code).toBe(1);
    expect(failing.lines.map((l) => l.slice(l.indexOf(' › ') + 3))).toEqual([
      "deliveries[acme-xml].examples[1]: example 'duplicate': expected rejected (reason \"Duplicate\"), the classifier found rejected (reason none)",
    ]);

    const outcomeWrong = buyerCampaign(`{ outcome_search_term: 'ERROR', outcome_search_path: '/response/status', reason_path: '/response/error', reference_path: '/response/id' }`, EXAMPLES);
    fs.writeFileSync(path.join(dir, 'recorded.campaign.ts'), outcomeWrong);
    const both = await check(dir);
    expect(both.code).toBe(1);
    expect(both.lines.map((l) => l.slice(l.indexOf(' › ') + 3))).toEqual([
      "deliveries[acme-xml].examples[0]: example 'accepted': expected delivered, the classifier found rejected",
      "deliveries[acme-xml].examples[1]: example 'duplicate': expected rejected, the classifier found delivered",
    ]);

    const fixed = buyerCampaign(`{ outcome_search_term: 'OK', outcome_search_path: '/response/status', reason_path: '/response/error', reference_path: '/response/id' }`, EXAMPLES);
    fs.writeFileSync(path.join(dir, 'recorded.campaign.ts'), fixed);
    const passing = await check(dir);
    expect(passing.err).toBe('');
    expect(passing.code).toBe(0);
  });

  it('names a missing example file, and an example on a delivery that reads no answer', async () => {
    const dir = campaignDir({
      'recorded.campaign.ts': buyerCampaign(`{}`, `[{ name: 'gone', response: { file: 'fixtures/missing.xml' }, expect: { outcome: 'delivered' } }]`).replace(
        '  ],\n});',
        "    manualFile({ id: 'download', examples: [{ name: 'x', response: { body: '' }, expect: { outcome: 'delivered' } }] }),\n  ],\n});",
      ).replace('leadconduit }', 'leadconduit, manualFile }'),
    });
    const { code, lines } = await check(dir);
    expect(code).toBe(1);
    expect(lines.map((l) => l.slice(l.indexOf(' › ') + 3))).toEqual([
      "deliveries[acme-xml].examples[0].response.file: cannot read 'fixtures/missing.xml' (ENOENT)",
      "deliveries[download].examples: plugin 'manual-file' reads no buyer answer: there is nothing for examples to check",
      // manualFile() does not even type examples: the editor says so first.
      expect.stringMatching(/^14:34: .*'examples' does not exist in type 'ManualFileOptions.*\(TS2353\)$/),
    ]);
  });
});
