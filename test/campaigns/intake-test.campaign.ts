import { defineCampaign, env, field, manualFile } from '@leadrelay/sdk';

/** Every field type, required and optional, and one on-demand delivery (nothing goes out by itself). */
export default defineCampaign({
  id: 'intake-test',
  name: 'Intake test',
  intakeKeys: [env('INTAKE_TEST_KEY', 'intake-key'), 'second-key'],
  fields: [
    field.text('first_name', { required: true }),
    field.email('email', { required: true }),
    field.phone('phone'),
    field.postalCode('zip'),
    field.state('state'),
    field.number('bill'),
    field.boolean('homeowner'),
    field.date('birth_date'),
  ],
  deliveries: [manualFile({ id: 'download' }), manualFile({ id: 'backup', format: 'tsv' })],
});
