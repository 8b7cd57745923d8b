import type { BuyerResponse, Classification, LeadConduitOptions, Outcome } from '@leadrelay/sdk/plugin';
import { capturedValues } from './leadconduit.capture';
import { headerValue, parsePrice, readDocument, selectValues, type ResponseDocument } from './response.document';
import { toPattern } from './search.pattern';

type LeadConduitOutcome = 'success' | 'failure' | 'error';

const OUTCOME: Record<LeadConduitOutcome, Outcome> = { success: 'delivered', failure: 'rejected', error: 'retry' };
const OPPOSITE: Record<LeadConduitOutcome, LeadConduitOutcome> = { success: 'failure', failure: 'success', error: 'success' };

/**
 * LeadConduit's custom-integration response parsing, with its option names and meaning, so a buyer
 * set up there moves over by copying settings (docs/campaigns.md; every case in
 * test/fixtures/leadconduit-response-cases.json holds). Transport errors never reach here.
 */
export function classifyLeadConduit(options: LeadConduitOptions, response: BuyerResponse & { status: number }): Classification {
  if (response.status >= 500 && response.status <= 599) return { outcome: 'retry', reason: 'Server error' };

  const contentType = options.response_content_type_override || headerValue(response.headers, 'content-type');
  const document = readDocument(response.body, contentType);
  const classification: Classification = { outcome: outcomeOf(options, document, response.body) };

  const reasons = selected(document, options.reason_path).sort();
  const reason = reasons.length > 0 ? reasons.join(', ') : options.default_reason?.trim();
  if (reason) classification.reason = reason;
  classification.price = parsePrice(selected(document, options.price_path)[0]) ?? parsePrice(options.fallback_price) ?? 0;
  const reference = selected(document, options.reference_path)[0];
  if (reference) classification.reference = reference;
  const captured = capturedValues(options, response);
  if (captured) classification.captured = captured;
  return classification;
}

function outcomeOf(options: LeadConduitOptions, document: ResponseDocument, body: string): Outcome {
  const term = options.outcome_search_term;
  const onMatch = (options.outcome_on_match?.trim().toLowerCase() || 'success') as LeadConduitOutcome;
  if (!term && !options.outcome_on_match) return 'delivered';
  // An empty term matches anything; one that is not a valid expression matches nothing.
  const pattern = term?.trim() ? toPattern(term.trim(), { ignoreCase: true }) : /.*/;
  const path = options.outcome_search_path?.trim();
  const scope = path && document.kind !== 'text' ? selectValues(document, path, { markup: true }) : [body];
  const found = pattern !== null && scope.map((v) => v.trim()).some((v) => v !== '' && pattern.test(v));
  return OUTCOME[found ? onMatch : (OPPOSITE[onMatch] ?? 'success')] ?? 'delivered';
}

/** Values at a path, trimmed, empties dropped. */
function selected(document: ResponseDocument, path: string | undefined): string[] {
  if (!path?.trim()) return [];
  return selectValues(document, path).map((v) => v.trim()).filter((v) => v !== '');
}
