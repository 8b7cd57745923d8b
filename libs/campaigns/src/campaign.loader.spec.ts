import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { definePlugin, type DeliveryPlugin, type PluginTools } from '@leadrelay/sdk/plugin';
import { CampaignLoader, CampaignProblems } from './campaign.loader';
import type { PluginRegistry } from './plugin.registry';

/** Two stand-in plugins, one per kind of mode the buyer contract cares about. */
const PLUGINS: DeliveryPlugin[] = [
  definePlugin({ name: 'push', optionsSchema: z.object({}).strict(), mode: () => ({ kind: 'realtime' }), deliver: async () => ({ outcome: 'delivered' }) }),
  definePlugin({
    name: 'download',
    optionsSchema: z.object({}).strict(),
    mode: () => ({ kind: 'on-demand' }),
    fileOptions: () => ({ format: 'csv', quote: 'needed', header: true, columns: [], fileName: 'leads.csv', formulaGuard: true }),
  }),
];

const registry = {
  get: (name: string) => PLUGINS.find((p) => p.name === name),
  names: () => PLUGINS.map((p) => p.name).sort(),
  campaignExports: (name: string) => (PLUGINS.some((p) => p.name === name) ? {} : undefined),
} as unknown as PluginRegistry;

describe('CampaignLoader: buyer contracts (docs/contracts.md › Check)', () => {
  let dir: string;
  const loader = new CampaignLoader(registry, {} as PluginTools);
  const write = (id: string, deliveries: string) =>
    fs.writeFileSync(
      path.join(dir, `${id}.campaign.ts`),
      `import { defineCampaign, delivery, field } from '@leadrelay/sdk';
       export default defineCampaign({
         id: '${id}', name: '${id}', intakeKeys: ['k'],
         fields: [field.email('email', { required: true }), field.state('state', { required: true }), field.date('birth_date', { required: false })],
         deliveries: [${deliveries}],
       });`,
    );
  const problemsOf = (): string[] => {
    try {
      loader.loadAll(dir);
    } catch (err) {
      if (err instanceof CampaignProblems) return err.problems.map((p) => p.slice(p.indexOf(' › ') + 3));
      throw err;
    }
    return [];
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-contracts-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads a sound contract', () => {
    write(
      'sound',
      `delivery('push', { id: 'acme', when: { all: [{ field: 'state', in: ['TX'] }, { field: 'birth_date', ageGte: 18 }] },
         caps: [{ max: 100, per: 'day', timeZone: 'America/Chicago' }], onCap: 'hold',
         hours: { timeZone: 'America/Chicago', weekdays: ['08:00-18:00'] }, dedupe: { on: ['email'], within: '30d' }, rate: { max: 5, per: '1s' } }),
       delivery('download', { id: 'manual', caps: [{ max: 50, per: 'week' }], dedupe: { on: ['email'], within: '7d', scope: 'campaign' } })`,
    );
    const [campaign] = loader.loadAll(dir);
    expect(campaign.deliveries.map((d) => d.settings)).toEqual([
      expect.objectContaining({ onCap: 'hold', rate: { max: 5, per: '1s' } }),
      expect.objectContaining({ caps: [{ max: 50, per: 'week' }] }),
    ]);
  });

  it('lists every contract problem of a file at once, each at its delivery path', () => {
    write(
      'broken',
      `delivery('push', { id: 'acme', when: { any: [{ field: 'stat', in: ['TX'] }, { field: 'zip', matches: '^7' }] },
         outsideHours: 'skip', dedupe: { on: ['emial'], within: '30d' } }),
       delivery('download', { id: 'manual', hours: { timeZone: 'UTC', weekdays: ['08:00-18:00'] }, rate: { max: 1, per: '1s' }, onCap: 'hold' })`,
    );
    const fields = '(campaign fields: email, state, birth_date)';
    expect(problemsOf()).toEqual([
      `deliveries[acme].when.any[0].field: unknown field 'stat' ${fields}; did you mean 'state'?`,
      `deliveries[acme].when.any[1].field: unknown field 'zip' ${fields}`,
      `deliveries[acme].dedupe.on[0]: unknown field 'emial' ${fields}; did you mean 'email'?`,
      'deliveries[acme].outsideHours: has no effect without hours',
      'deliveries[manual].hours: applies only to real-time deliveries; this one is on-demand',
      'deliveries[manual].rate: applies only to real-time deliveries; this one is on-demand',
      'deliveries[manual].onCap: applies only to real-time deliveries; this one is on-demand',
    ]);
  });

  it('reports the schema’s problems with the value named', () => {
    write('typos', `delivery('push', { id: 'acme', caps: [{ max: 0, per: 'day', timeZone: 'America/Chicgo' }], hours: { timeZone: 'UTC', weekdays: ['18:00-08:00'] } })`);
    expect(problemsOf()).toEqual([
      'deliveries[acme].caps[0].max: a cap of 0 would send nothing: max must be at least 1 (to stop a delivery, pause it or remove it)',
      "deliveries[acme].caps[0].timeZone: unknown time zone 'America/Chicgo'; did you mean 'America/Chicago'?",
      "deliveries[acme].hours.weekdays[0]: '18:00-08:00' ends before it starts; a range cannot cross midnight: split it, e.g. mon: ['22:00-24:00'], tue: ['00:00-06:00']",
    ]);
  });
});
