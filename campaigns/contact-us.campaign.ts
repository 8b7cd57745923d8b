import { defineCampaign, env, field, manualFile } from '@leadrelay/sdk';

/** The smallest useful campaign: a contact form whose leads are downloaded by hand. */
export default defineCampaign({
  id: 'contact-us',
  name: 'Website contact form',
  intakeKeys: [env('CONTACT_US_SOURCE_KEY', 'demo-contact-key')],
  fields: [field.text('name', { required: true }), field.email('email', { required: true }), field.text('message')],
  deliveries: [manualFile({ id: 'download' })],
});
