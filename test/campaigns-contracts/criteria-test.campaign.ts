import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** Criteria, declared and as a function: leads that fail them are skipped and never sent. */
export default defineCampaign({
  id: 'criteria-test',
  name: 'Criteria test',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true }), field.state('state'), field.date('birth_date'), field.boolean('homeowner')],
  deliveries: [
    httpPost({
      id: 'tx-adults',
      url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'),
      when: { all: [{ field: 'state', in: ['TX', 'OK'] }, { field: 'birth_date', ageGte: 18 }] },
    }),
    httpPost({
      id: 'owners',
      url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'),
      when: (values) => values.homeowner === true || 'not a homeowner',
    }),
  ],
});
