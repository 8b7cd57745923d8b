import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Classification } from '@leadrelay/sdk/plugin';
import { checkCommand } from '../apps/cli/src/check.command';
import { classifyCommand } from '../apps/cli/src/preview.command';
import { expectLikeLeadConduit, LEADCONDUIT_CASES as cases, type LeadConduitCase } from './leadconduit-cases/leadconduit-cases.fixture';
import { sink } from './support/output-sink';

// The writer of the campaign file is plain Node, so it runs without a build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const writer = require('./leadconduit-cases/write-lc-cases-campaign.js') as { campaignSource(cases: LeadConduitCase[]): string; CAMPAIGN: string };

const CAMPAIGNS = path.resolve(__dirname, 'leadconduit-cases', 'campaigns');

/** `cli classify lc-cases <case> <saved response>`, the saved response in its `{ status, headers, body }` form. */
async function classifyCase(c: LeadConduitCase): Promise<Classification> {
  const out = sink();
  const err = sink();
  const code = await classifyCommand(CAMPAIGNS, 'lc-cases', c.id, JSON.stringify(c.response), out.stream, err.stream);
  expect({ id: c.id, code, err: err.text() }).toEqual({ id: c.id, code: 0, err: '' });
  return JSON.parse(out.text());
}

describe('LeadConduit response cases written as a campaign file and read with cli classify (docs/campaigns.md › Classifiers)', () => {
  it('has all 41 cases, one delivery each, in a campaign file that is what the writer makes of the fixture', () => {
    expect(cases).toHaveLength(41);
    expect(readFileSync(writer.CAMPAIGN, 'utf8')).toBe(writer.campaignSource(cases));
  });

  it('passes check, TypeScript included, as a campaign file users could write', async () => {
    const out = sink();
    const err = sink();
    expect(await checkCommand(CAMPAIGNS, out.stream, err.stream)).toBe(0);
    expect(err.text()).toBe('');
    expect(out.text()).toMatch(/lc-cases@/);
  });

  it.each(cases.map((c) => [`${c.id}: ${c.case}`, c] as const))('%s', async (_name, c) => {
    expectLikeLeadConduit(await classifyCase(c), c);
  });
});

describe('capture and cookie_search_term settings that cannot work (docs/campaigns.md › Classifiers)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lc-capture-'));
    writeFileSync(
      path.join(dir, 'bad-capture.campaign.ts'),
      `import { defineCampaign, field, httpPost, leadconduit } from '@leadrelay/sdk';
export default defineCampaign({
  id: 'bad-capture',
  name: 'Bad capture',
  intakeKeys: ['k'],
  fields: [field.email('email')],
  deliveries: [
    httpPost({ id: 'buyer', url: 'https://buyer.example/leads', classify: leadconduit({ capture: { order_id: 'Order #(\\\\d+', cookie: 'c=(\\\\w+)' }, cookie_search_term: 'sid' }) }),
  ],
});
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are refused when the campaign loads, each with its path, so nothing is classified', async () => {
    const out = sink();
    const err = sink();
    expect(await classifyCommand(dir, 'bad-capture', 'buyer', JSON.stringify({ status: 200, body: 'Order #1' }), out.stream, err.stream)).toBe(1);
    expect(out.text()).toBe('');
    // The delivery is named by its place or its id, whichever the loader shows.
    expect(err.text()).toMatch(/deliveries\[(0|buyer)\]\.classify\.capture\.order_id: 'Order #\(\\d\+' is not a valid regular expression\n/);
    expect(err.text()).toMatch(/deliveries\[(0|buyer)\]\.classify\.capture\.cookie: the name 'cookie' is where cookie_search_term keeps the cookie it finds; choose another name\n/);
  });
});
