#!/usr/bin/env node
/**
 * Writes campaigns/lc-cases.campaign.ts from test/fixtures/leadconduit-response-cases.json: one
 * `httpPost` delivery per case, its LeadConduit settings written as `classify: leadconduit({...})`,
 * the way a campaign author would copy them over. Run it again when the fixture changes:
 *
 *   node test/leadconduit-cases/write-lc-cases-campaign.js
 *
 * test/leadconduit-cases.e2e-spec.ts fails when the committed file is not what this writes.
 */
const fs = require('node:fs');
const path = require('node:path');

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'leadconduit-response-cases.json');
const CAMPAIGN = path.resolve(__dirname, 'campaigns', 'lc-cases.campaign.ts');
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A string as a single-quoted TypeScript literal. */
function quoted(text) {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** A JSON value as TypeScript source, written like a person would: bare keys, single quotes. */
function literal(value) {
  if (typeof value === 'string') return quoted(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Object.entries(value).map(([key, v]) => `${IDENTIFIER.test(key) ? key : quoted(key)}: ${literal(v)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/** The campaign file's source for the fixture's cases. */
function campaignSource(cases) {
  const deliveries = cases.map(
    (c) => `    // ${c.case}\n    httpPost({ id: ${quoted(c.id)}, url: BUYER, classify: leadconduit(${literal(c.options)}) }),`,
  );
  return `// Written by test/leadconduit-cases/write-lc-cases-campaign.js from test/fixtures/leadconduit-response-cases.json.
import { defineCampaign, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** Never called: the cases are read with \`cli classify\`, one delivery per case. */
const BUYER = 'https://buyer.example/leads';

/**
 * LeadConduit's own response cases, each a delivery whose classifier carries that case's custom
 * integration settings, copied over with their LeadConduit names (docs/campaigns.md › Classifiers).
 */
export default defineCampaign({
  id: 'lc-cases',
  name: 'LeadConduit response cases',
  intakeKeys: ['lc-cases-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
${deliveries.join('\n')}
  ],
});
`;
}

module.exports = { campaignSource, FIXTURE, CAMPAIGN };

if (require.main === module) {
  const { cases } = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  fs.writeFileSync(CAMPAIGN, campaignSource(cases));
  process.stdout.write(`${path.relative(process.cwd(), CAMPAIGN)}: ${cases.length} deliveries\n`);
}
