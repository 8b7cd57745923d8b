import { defineCampaign, env, field, httpPost, leadconduit, xml } from '@leadrelay/sdk';

/** A buyer that takes and answers XML; reasons are read with XPath. */
export default defineCampaign({
  id: 'delivery-xml',
  name: 'Delivery — XML buyer',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DELIVERY_XML_URL', 'http://127.0.0.1:9/unused'),
      body: xml('<lead><scenario>{{scenario}}</scenario><email>{{email}}</email></lead>'),
      timeoutMs: 500,
      classify: leadconduit({ outcome_search_term: 'accepted', outcome_search_path: '/response/status', reason_path: '/response/errors/error' }),
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 1_000 },
    }),
  ],
});
