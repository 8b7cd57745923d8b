/** What went wrong, in the domain's words; the API and the console each map it to an answer. */
export type DomainErrorCode = 'not_found' | 'bad_request' | 'conflict' | 'nothing_pending' | 'ping_refused' | 'unauthorized' | 'invalid';

/**
 * The one error class below the controllers: services throw it, and one filter turns it into the
 * API's JSON (`{ error: code, message }`) with the status of its code.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Every problem of an `invalid` input, by field. */
    readonly errors?: { field: string; message: string }[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * The HTTP status each code answers with; `nothing_pending` is a manual delivery that would take
 * no lead (docs/api.md › Manual deliveries), `ping_refused` a lead posted with a ping id it may
 * not use (docs/api.md › Pings).
 */
export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = { not_found: 404, bad_request: 400, conflict: 409, nothing_pending: 409, ping_refused: 409, unauthorized: 401, invalid: 422 };
