import { Test } from '@nestjs/testing';
import { manualFileOptionsSchema, PluginConfigError, type CampaignInfo, type PluginTools } from '@leadrelay/sdk/plugin';
import { isDeliveryPlugin } from '@leadrelay/sdk/internal';
import { field, manualFile } from '@leadrelay/sdk';
import { MANUAL_FILE_PLUGIN, ManualFilePluginModule, manualFilePlugin, type ManualFilePluginOptions } from '.';

const campaign: CampaignInfo = {
  id: 'solar-tx',
  name: 'Solar Texas',
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true }), field.phone('phone'), field.postalCode('zip'), field.state('state')],
};

/** Options as the host hands them over: from a campaign file, through the plugin's schema. */
const options = (o: Record<string, unknown> = {}): ManualFilePluginOptions => manualFileOptionsSchema.parse(manualFile({ id: 'download', ...o }).options);

// prepare only checks names: it uses none of the host's tools.
const tools = {} as PluginTools;

function problems(o: ManualFilePluginOptions): unknown {
  try {
    manualFilePlugin.prepare!(o, campaign, tools);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(PluginConfigError);
    return (err as PluginConfigError).problems;
  }
}

describe('manual-file plugin', () => {
  it('is a plugin named manual-file, delivered on demand', () => {
    expect(isDeliveryPlugin(manualFilePlugin)).toBe(true);
    expect(manualFilePlugin.name).toBe('manual-file');
    expect(manualFilePlugin.mode(options())).toEqual({ kind: 'on-demand' });
  });

  it('asks by default for a CSV with a header, every campaign field in order, then lead_id and received_at', () => {
    expect(manualFilePlugin.fileOptions!(options(), campaign)).toEqual({
      format: 'csv',
      quote: 'needed',
      header: true,
      formulaGuard: true,
      fileName: '{{campaign}}-{{delivery}}-{{date}}-{{batch}}.{{ext}}',
      columns: ['first_name', 'email', 'phone', 'zip', 'state', 'lead_id', 'received_at'].map((n) => ({ header: n, source: n })),
    });
  });

  it('uses the delivery field list, in its order, under the mapped headings', () => {
    const o = options({ format: 'tsv', quote: 'all', header: false, formulaGuard: false, fields: ['zip', 'email'], mapping: { zip: 'PostalCode', phone: 'Tel' }, fileName: 'leads-{{batch}}.{{ext}}' });
    expect(manualFilePlugin.fileOptions!(o, campaign)).toEqual({
      format: 'tsv',
      quote: 'all',
      header: false,
      formulaGuard: false,
      fileName: 'leads-{{batch}}.{{ext}}',
      columns: [
        { header: 'PostalCode', source: 'zip' },
        { header: 'email', source: 'email' },
        { header: 'lead_id', source: 'lead_id' },
        { header: 'received_at', source: 'received_at' },
      ],
    });
  });

  it('accepts options that name campaign fields', () => {
    expect(problems(options({ fields: ['email', 'zip'], mapping: { zip: 'Zip Code', state: 'ST' } }))).toEqual([]);
    expect(problems(options())).toEqual([]);
  });

  it('refuses unknown fields in fields and mapping, listing every problem with its path', () => {
    expect(problems(options({ fields: ['email', 'mail', 'email'], mapping: { zipp: 'Zip' } }))).toEqual([
      { path: ['fields', 1], message: "unknown field 'mail' (campaign fields: first_name, email, phone, zip, state); did you mean 'email'?" },
      { path: ['fields', 2], message: "field 'email' is listed twice" },
      { path: ['mapping', 'zipp'], message: "unknown field 'zipp' (campaign fields: first_name, email, phone, zip, state); did you mean 'zip'?" },
    ]);
  });

  it('refuses two columns under one heading', () => {
    expect(problems(options({ mapping: { email: 'lead_id' } }))).toEqual([
      { path: ['mapping', 'email'], message: "column heading 'lead_id' is used by both 'email' and 'lead_id'" },
    ]);
    expect(problems(options({ mapping: { phone: 'zip' } }))).toEqual([{ path: ['mapping', 'phone'], message: "column heading 'zip' is used by both 'phone' and 'zip'" }]);
  });

  it('refuses a file name variable the host does not fill in', () => {
    expect(problems(options({ fileName: '{{campaign}}-{{day}}.{{ext}}' }))).toEqual([
      { path: ['fileName'], message: "unknown variable '{{day}}' (known: {{campaign}}, {{delivery}}, {{date}}, {{time}}, {{batch}}, {{ext}})" },
    ]);
  });

  it('summarises the file in one line', () => {
    expect(manualFilePlugin.summary!(options())).toBe('manual CSV download, with a header row, quoted where needed, every field');
    expect(manualFilePlugin.summary!(options({ format: 'tsv', quote: 'all', header: false, fields: ['email', 'zip'], formulaGuard: false }))).toBe(
      'manual TSV download, without a header row, every value quoted, fields email, zip, formula guard off',
    );
  });

  it('is provided by its Nest module under MANUAL_FILE_PLUGIN', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ManualFilePluginModule] }).compile();
    expect(moduleRef.get(MANUAL_FILE_PLUGIN)).toBe(manualFilePlugin);
    expect(MANUAL_FILE_PLUGIN).toBe('leadrelay.plugin.manual-file');
    await moduleRef.close();
  });
});
