import type { BuyerResponse, Classification, Classifier, Outcome } from '@leadrelay/sdk/plugin';
import { classifyByDefault } from './default.classifier';
import { classifyLeadConduit } from './leadconduit.classifier';
import { classifyRules } from './rules.classifier';

const OUTCOMES = new Set<Outcome>(['delivered', 'rejected', 'retry']);

const TRANSPORT_REASON: Record<string, string> = {
  timeout: 'Timed out',
  refused: 'Connection refused',
  reset: 'Connection reset',
  dns: 'Host name not found',
  tls: 'TLS failure',
  network: 'Network error',
};

/** What a transport error comes to when no rule says otherwise: worth trying again. */
function transportRetry(error: NonNullable<BuyerResponse['error']>): Classification {
  return { outcome: 'retry', reason: TRANSPORT_REASON[error.code] ?? `Transport error (${error.code})` };
}

/** For the classifiers that read only real answers: a transport error is a retry before they look. */
function answered(response: BuyerResponse, read: (answer: BuyerResponse & { status: number }) => Classification): Classification {
  if (response.error || response.status === undefined) return transportRetry(response.error ?? { code: 'network', message: 'no response' });
  return read({ ...response, status: response.status });
}

/**
 * Turns a buyer's response, or the transport error that stood in for one, into an outcome and
 * what could be read from it; `undefined` (the delivery gave no `classify`) is the default
 * reading. Never throws: a function classifier that does is a `retry` with its message, so the
 * lead waits for the campaign to be fixed rather than being lost.
 */
export function classify(classifier: Classifier | undefined, response: BuyerResponse): Classification {
  if (!classifier) return answered(response, classifyByDefault);
  switch (classifier.kind) {
    case 'leadconduit':
      return answered(response, (answer) =>
        // LeadConduit would read a 429 like a 200 and call the lead delivered; a buyer that is
        // throttling us has not taken it. (Rules and functions decide 429 for themselves.)
        answer.status === 429 ? { outcome: 'retry', reason: 'Too many requests' } : classifyLeadConduit(classifier.options, answer),
      );
    case 'rules':
      return (
        classifyRules(classifier.rules, { outcome: classifier.default, reason: classifier.defaultReason }, response) ??
        transportRetry(response.error ?? { code: 'network', message: 'no response' })
      );
    case 'function':
      return classifyWithFunction(classifier.fn, response);
  }
}

function classifyWithFunction(fn: (response: BuyerResponse) => Outcome | Classification, response: BuyerResponse): Classification {
  let result: Outcome | Classification;
  try {
    result = fn(response);
  } catch (error) {
    return { outcome: 'retry', reason: `classifier function failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const classification = typeof result === 'string' ? { outcome: result } : result;
  if (!classification || !OUTCOMES.has(classification.outcome)) {
    return { outcome: 'retry', reason: `classifier function returned ${JSON.stringify(result)}, not delivered, rejected or retry` };
  }
  if (classification.captured !== undefined && !isTextRecord(classification.captured)) {
    return { outcome: 'retry', reason: `classifier function returned captured ${JSON.stringify(classification.captured)}, not an object of strings` };
  }
  return classification;
}

/** `captured` is stored and shown as name → text; anything else from a function is its mistake. */
function isTextRecord(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
