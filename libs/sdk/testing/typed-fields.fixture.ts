// Compiled by libs/sdk/src/field-names.spec.ts, never run: each `// error:` line must be a type
// error naming that field, and nothing else may be.
import { defineCampaign, field, httpPost, manualFile, email, every } from '@leadrelay/sdk';

export const good = defineCampaign({
  id: 'good',
  name: 'Good',
  intakeKeys: ['k'],
  fields: [field.email('email', { required: true }), field.state('state'), field.date('birth_date')],
  deliveries: [
    httpPost({
      id: 'acme',
      url: 'http://127.0.0.1:9/x',
      fields: ['email', 'state'],
      mapping: { state: 'ST' },
      when: { all: [{ field: 'state', in: ['TX'] }, { field: 'birth_date', ageGte: 18 }] },
      dedupe: { on: ['email'], within: '30d' },
    }),
    manualFile({ id: 'download', fields: ['email'], mapping: { email: 'E-mail' } }),
    email({ id: 'mail', from: 'a@example.com', to: ['b@example.com'], subject: 's', schedule: every('1h'), attachment: { fields: ['state'] } }),
  ],
});

const computed: string[] = ['email'];
export const loose = defineCampaign({
  id: 'loose',
  name: 'Computed lists are not checked by type',
  intakeKeys: ['k'],
  fields: [field.email('email')],
  deliveries: [manualFile({ id: 'download', fields: computed })],
});

export const bad = defineCampaign({
  id: 'bad',
  name: 'Bad',
  intakeKeys: ['k'],
  fields: [field.email('email', { required: true }), field.state('state')],
  deliveries: [
    httpPost({ id: 'a', url: 'http://127.0.0.1:9/x', fields: ['emial'] }), // error: emial
    httpPost({ id: 'b', url: 'http://127.0.0.1:9/x', mapping: { stat: 'ST' } }), // error: stat
    httpPost({ id: 'c', url: 'http://127.0.0.1:9/x', when: { field: 'stte', in: ['TX'] } }), // error: stte
    httpPost({ id: 'd', url: 'http://127.0.0.1:9/x', dedupe: { on: ['mail'], within: '30d' } }), // error: mail
    manualFile({ id: 'e', fields: ['zip'] }), // error: zip
  ],
});
