import { bearer, defineCampaign, env, field, form, httpPost, json, leadconduit, manualFile, xml } from '@leadrelay/sdk';

/**
 * The lead page's attempts (test/console/console-attempts.e2e-spec.ts): one lead goes to a JSON
 * buyer with a bearer token, an XML buyer and a form buyer with an API key header, each of which
 * answers 503 (with Retry-After) until the test lets it take the lead, and waits for a download.
 */
export default defineCampaign({
  id: 'attempts',
  name: 'Attempts',
  intakeKeys: ['attempts-key'],
  fields: [field.text('name', { required: true }), field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'json-buyer',
      url: env('ATTEMPTS_JSON_URL', 'http://127.0.0.1:9/unused'),
      body: json('{"contact": {"name": {{json name}}, "email": {{json email}}}}'),
      auth: bearer(env('ATTEMPTS_BEARER_TOKEN')),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason' }),
      retry: { attempts: 50, firstDelayMs: 2_000, maxDelayMs: 5_000 },
    }),
    httpPost({
      id: 'xml-buyer',
      url: env('ATTEMPTS_XML_URL', 'http://127.0.0.1:9/unused'),
      body: xml('<lead><name>{{name}}</name><email>{{email}}</email></lead>'),
      classify: leadconduit({ outcome_search_term: 'accepted', outcome_search_path: '/response/status' }),
      retry: { attempts: 50, firstDelayMs: 2_000, maxDelayMs: 5_000 },
    }),
    httpPost({
      id: 'form-buyer',
      url: env('ATTEMPTS_FORM_URL', 'http://127.0.0.1:9/unused'),
      body: form(),
      headers: { 'X-Api-Key': env('ATTEMPTS_FORM_KEY') },
      retry: { attempts: 50, firstDelayMs: 2_000, maxDelayMs: 5_000 },
    }),
    manualFile({ id: 'download' }),
  ],
});
