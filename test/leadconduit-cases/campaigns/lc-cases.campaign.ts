// Written by test/leadconduit-cases/write-lc-cases-campaign.js from test/fixtures/leadconduit-response-cases.json.
import { defineCampaign, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** Never called: the cases are read with `cli classify`, one delivery per case. */
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
    // with json body / should default to success without search term
    httpPost({ id: 'json-01', url: BUYER, classify: leadconduit({}) }),
    // with json body / should default to failure per outcome on match
    httpPost({ id: 'json-02', url: BUYER, classify: leadconduit({ outcome_on_match: 'failure' }) }),
    // with json body / should find search term with exact match at path
    httpPost({ id: 'json-03', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', outcome_search_path: 'baz.bip' }) }),
    // with json body / should not find search term at different path
    httpPost({ id: 'json-04', url: BUYER, classify: leadconduit({ outcome_search_term: 'bip', outcome_search_path: 'baz.bip' }) }),
    // with json body / should failure on match per outcome on match at path
    httpPost({ id: 'json-05', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', outcome_on_match: 'failure', outcome_search_path: 'baz.bip' }) }),
    // with json body / should find search term with regex with slashes at path
    httpPost({ id: 'json-06', url: BUYER, classify: leadconduit({ outcome_search_term: '/[a-z]{3}foo[a-z]{3}/', outcome_search_path: 'baz.bip' }) }),
    // with json body / should not error on invalid regex search term
    httpPost({ id: 'json-07', url: BUYER, classify: leadconduit({ outcome_search_term: '/[/' }) }),
    // with json body / should find search term with case insensitive match at path
    httpPost({ id: 'json-08', url: BUYER, classify: leadconduit({ outcome_search_term: 'FOO', outcome_search_path: 'baz' }) }),
    // with json body / should parse reason
    httpPost({ id: 'json-09', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', reason_path: 'baz.bip' }) }),
    // with json body / should discard whitespace reason
    httpPost({ id: 'json-10', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', reason_path: 'baz.bip' }) }),
    // with json body / should parse multiple reasons
    httpPost({ id: 'json-11', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', reason_path: 'baz.bip' }) }),
    // with json body / should parse reason from array response
    httpPost({ id: 'json-12', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', reason_path: 'array.0.bip' }) }),
    // with json body / should default reason
    httpPost({ id: 'json-13', url: BUYER, classify: leadconduit({ default_reason: 'just because' }) }),
    // with json body / should use default reason on failure to parse reason
    httpPost({ id: 'json-14', url: BUYER, classify: leadconduit({ outcome_search_term: 'bar', reason_path: 'baz.baz.baz', default_reason: 'just because' }) }),
    // with json body / should successfully parse reason with wildcard in path
    httpPost({ id: 'json-15', url: BUYER, classify: leadconduit({ outcome_search_term: 'bar', reason_path: 'baz.*.details' }) }),
    // with json body / should revert to regex on non-JSON body
    httpPost({ id: 'json-16', url: BUYER, classify: leadconduit({ reason_path: '"message":"([^"]+)"' }) }),
    // with json body / should override response Content-Type if override is specified in vars
    httpPost({ id: 'json-17', url: BUYER, classify: leadconduit({ outcome_search_term: 'success', response_content_type_override: 'application/json', reason_path: 'message' }) }),
    // with json body / should capture price on success
    httpPost({ id: 'json-18', url: BUYER, classify: leadconduit({ price_path: 'baz.*.cost' }) }),
    // with json body / uses fallback_price if price_path cannot be evaluated
    httpPost({ id: 'json-19', url: BUYER, classify: leadconduit({ price_path: 'invalid_path', fallback_price: '12.50' }) }),
    // with json body / should capture reference on success
    httpPost({ id: 'json-20', url: BUYER, classify: leadconduit({ reference_path: 'baz.*.reference' }) }),
    // with plain text body / should parse reason
    httpPost({ id: 'text-01', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', reason_path: '[a-z]+:(.*)' }) }),
    // with plain text body / should find search term with case insensitve match
    httpPost({ id: 'text-02', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo' }) }),
    // with plain text body / should use capture groups
    httpPost({ id: 'text-03', url: BUYER, classify: leadconduit({ outcome_on_match: 'failure', capture: { bad: '/bad: (.*)$/m', why: '/why: (.*)$/m' } }) }),
    // with plain text body / should capture price when vars.cost is present
    httpPost({ id: 'text-04', url: BUYER, classify: leadconduit({ price_path: '/cost=([0-9].[0-9])/' }) }),
    // with plain text body / should revert to string search on non-text body
    httpPost({ id: 'text-05', url: BUYER, classify: leadconduit({ outcome_search_term: 'bar' }) }),
    // with html / should not find search term at different path
    httpPost({ id: 'html-01', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', outcome_search_path: 'div[id="one"]' }) }),
    // with html / should find search term with regex including slashes at path
    httpPost({ id: 'html-02', url: BUYER, classify: leadconduit({ outcome_search_term: '/id="[a-z]+">foo</', outcome_search_path: 'body' }) }),
    // with html / should parse reason from attribute
    httpPost({ id: 'html-03', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', reason_path: '#message @reason' }) }),
    // with html / should parse multiple reasons
    httpPost({ id: 'html-04', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', reason_path: 'div.message' }) }),
    // with html / should use capture groups
    httpPost({ id: 'html-05', url: BUYER, classify: leadconduit({ capture: { number_records: 'matched (.*) records' } }) }),
    // with html / should capture price when price_path is present
    httpPost({ id: 'html-06', url: BUYER, classify: leadconduit({ price_path: 'div.cost' }) }),
    // with xml body / should find search term with exact match at path
    httpPost({ id: 'xml-01', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', outcome_search_path: '/baz/bip/text()' }) }),
    // with xml body / should not find search term at different path
    httpPost({ id: 'xml-02', url: BUYER, classify: leadconduit({ outcome_search_term: 'bip', outcome_search_path: '/baz/bip/text()' }) }),
    // with xml body / should parse reason from CDATA
    httpPost({ id: 'xml-03', url: BUYER, classify: leadconduit({ outcome_search_term: 'success', reason_path: '/baz/bip/text()' }) }),
    // with xml body / should parse multiple reasons
    httpPost({ id: 'xml-04', url: BUYER, classify: leadconduit({ outcome_search_term: 'foo', reason_path: '//bip/text()' }) }),
    // with xml body / should use default reason on failure with invalid reason selector
    httpPost({ id: 'xml-05', url: BUYER, classify: leadconduit({ outcome_search_term: 'bar', reason_path: '[[[[[   ', default_reason: 'just because' }) }),
    // with xml body / should revert to string search on non-XML body
    httpPost({ id: 'xml-06', url: BUYER, classify: leadconduit({ outcome_search_term: 'bar' }) }),
    // with xml body / should capture price
    httpPost({ id: 'xml-07', url: BUYER, classify: leadconduit({ price_path: 'bar/cost/text()' }) }),
    // HTTP status code / should error on HTTP 500
    httpPost({ id: 'http-01', url: BUYER, classify: leadconduit({}) }),
    // HTTP status code / should error on HTTP 599
    httpPost({ id: 'http-02', url: BUYER, classify: leadconduit({}) }),
    // HTTP status code / should not error on HTTP 400
    httpPost({ id: 'http-03', url: BUYER, classify: leadconduit({}) }),
  ],
});
