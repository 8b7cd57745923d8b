import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommand } from '../../apps/cli/src/check.command';
import { sink } from '../support/output-sink';

/** `campaigns:check` on a campaign's `margin` (docs/api.md › Pings): percent 0–100 or fixed ≥ 0, one of them. */
describe('campaigns:check: margin', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-margin-check-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = async (margins: Record<string, string>) => {
    for (const [id, margin] of Object.entries(margins)) {
      fs.writeFileSync(
        path.join(dir, `${id}.campaign.ts`),
        `import { defineCampaign, field, manualFile } from '@leadrelay/sdk';
export default defineCampaign({ id: '${id}', name: 'M', intakeKeys: ['k'], fields: [field.email('email')], margin: ${margin}, deliveries: [manualFile({ id: 'download' })] });
`,
      );
    }
    const out = sink();
    const err = sink();
    const code = await checkCommand(dir, out.stream, err.stream, {});
    return { code, lines: err.text().split('\n').filter((l) => l.includes(' › ')).map((l) => path.basename(l)) };
  };

  it('passes a percent and a fixed margin', async () => {
    expect(await check({ share: '{ percent: 25 }', flat: '{ fixed: 2.5 }' })).toEqual({ code: 0, lines: [] });
  });

  it('names a percent over 100, a negative fixed, both at once and an unknown key, each at its path', async () => {
    const { code, lines } = await check({ over: '{ percent: 120 }', below: '{ fixed: -1 }', both: '{ percent: 10, fixed: 1 }', typo: '{ percnt: 10 }' });
    expect(code).not.toBe(0);
    expect(lines.sort()).toEqual([
      'below.campaign.ts › margin.fixed: must be 0 or more, not -1',
      'both.campaign.ts › margin: must be either { percent } or { fixed }',
      'over.campaign.ts › margin.percent: must be between 0 and 100, not 120',
      expect.stringMatching(/^typo\.campaign\.ts › 2:\d+: Object literal may only specify known properties, and 'percnt' does not exist in type 'Margin'/),
      "typo.campaign.ts › margin.percnt: unknown option 'percnt'; did you mean 'percent'?",
      'typo.campaign.ts › margin: must be either { percent } or { fixed }',
    ]);
  });
});
