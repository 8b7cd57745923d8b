import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

/**
 * Manual files and exports (test/files): text fields for awkward values, two manual-file
 * deliveries (so `delivery` must be named), one of them with its own field list, order and headings.
 */
export default defineCampaign({
  id: 'files-test',
  name: 'Files test',
  intakeKeys: ['files-key'],
  fields: [
    field.text('first_name', { required: true }),
    field.text('last_name'),
    field.email('email', { required: true }),
    field.text('company'),
    field.text('notes'),
    field.text('phone_text'),
    field.text('amount'),
    field.number('bill'),
    field.boolean('homeowner'),
  ],
  deliveries: [
    manualFile({
      id: 'download',
      fields: ['email', 'first_name', 'last_name', 'company', 'notes', 'phone_text', 'amount'],
      mapping: { first_name: 'First Name', phone_text: 'Phone', amount: 'Amount' },
      fileName: '{{campaign}}-{{delivery}}-{{batch}}.{{ext}}',
    }),
    manualFile({ id: 'backup', format: 'tsv' }),
  ],
});
