import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommand } from '../../apps/cli/src/check.command';
import { sink } from '../support/output-sink';

const buyer = (id: string, pingBody = '{"zip": {{json zip}}}', extra = '') => `{
  id: '${id}',
  ping: { url: 'https://${id}.example/ping', body: json(\`${pingBody}\`), classify: leadconduit({ outcome_search_term: 'true', outcome_search_path: 'accepted', price_path: 'bid', reference_path: 'token' }) },
  post: { url: 'https://${id}.example/post', body: json(\`{"token": {{json ping.reference}}, "email": {{json email}}}\`) },
  ${extra}
}`;

const sale = (id: string, options: string, buyers: string[]) =>
  `pingPost({ id: '${id}', pingTimeoutMs: 1_000, deadlineMs: 5_000, minBid: 5, ${options} buyers: [${buyers.join(', ')}] })`;

/** `campaigns:check` on a pingPost (docs/campaigns.md › Ping-post › Check): every problem at its path, as the file writes it. */
describe('campaigns:check: ping-post', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-pp-check-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = async (deliveries: string[], extraField = '') => {
    fs.writeFileSync(
      path.join(dir, 'sales.campaign.ts'),
      `import { defineCampaign, field, json, leadconduit, pingPost } from '@leadrelay/sdk';
export default defineCampaign({
  id: 'sales',
  name: 'Sales',
  intakeKeys: ['k'],
  fields: [field.postalCode('zip', { required: true }), field.state('state'), field.number('age'), field.email('email', { required: true })${extraField}],
  deliveries: [${deliveries.join(',\n')}],
});
`,
    );
    const out = sink();
    const err = sink();
    const code = await checkCommand(dir, out.stream, err.stream, {});
    return { code, lines: err.text().split('\n').filter((l) => l.includes(' › ')).map((l) => l.slice(l.indexOf(' › ') + 3)) };
  };

  it('passes a sound sale', async () => {
    const { code, lines } = await check([sale('auction', "pingFields: ['zip', 'state', 'age'], pick: 'waterfall',", [buyer('acme', undefined, "when: { field: 'state', in: ['TX'] }, caps: [{ max: 50, per: 'day' }],"), buyer('beta')])]);
    expect(lines).toEqual([]);
    expect(code).toBe(0);
  });

  it("refuses a field named 'ping' beside a sale: it would hide the winning bid in post templates", async () => {
    const { code, lines } = await check([sale('auction', "pingFields: ['zip'],", [buyer('acme')])], ", field.text('ping')");
    expect(code).not.toBe(0);
    expect(lines).toEqual(["deliveries[auction]: the campaign has a field named 'ping', which would hide ping.reference and ping.price in the posts' templates: rename the field"]);
  });

  it('names an unknown ping variable, bad pingFields, duplicate buyers, a deadline within the ping time-out and a bad buyer contract', async () => {
    const { code, lines } = await check([
      sale('auction', "pingFields: ['zip', 'state', 'age'],", [buyer('acme', '{"zip": {{json zip}}, "email": {{json email}}}')]),
      sale('fields', "pingFields: ['zip', 'stat'],", [buyer('acme')]),
      sale('dupes', "pingFields: ['zip'],", [buyer('acme'), buyer('acme')]),
      `pingPost({ id: 'slow', pingFields: ['zip'], pingTimeoutMs: 5_000, deadlineMs: 5_000, buyers: [${buyer('acme')}] })`,
      sale('contract', "pingFields: ['zip'],", [buyer('acme', undefined, "caps: [{ max: 0, per: 'day' }],")]),
      sale('criteria', "pingFields: ['zip'],", [buyer('acme'), buyer('beta', undefined, "when: { field: 'zipp', equals: '1' },")]),
    ]);
    expect(code).not.toBe(0);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^deliveries\[auction\]\.buyers\[0\]\.ping\.body: unknown variable 'email' \(pingFields: zip, state, age\)/),
        "deliveries[fields].pingFields[1]: unknown field 'stat' (campaign fields: zip, state, age, email); did you mean 'state'?",
        "deliveries[dupes].buyers[1].id: duplicate buyer id 'acme'",
        'deliveries[slow].deadlineMs: must be more than pingTimeoutMs (5000): the posts need time after the pings, not 5000',
        expect.stringMatching(/^deliveries\[contract\]\.buyers\[0\]\.caps\[0\]\.max: a cap of 0 would send nothing/),
        expect.stringMatching(/^deliveries\[criteria\]\.buyers\[1\]\.when\.field: unknown field 'zipp' .*did you mean 'zip'\?$/),
      ]),
    );
  });
});
