/**
 * `@leadrelay/contracts`: buyer contracts (docs/contracts.md) as pure functions — criteria,
 * delivery hours, cap windows, durations, duplicate keys and the load-time check. No database and
 * no clock of its own: the host passes `now`. The settings' schema is the SDK's
 * (`buyerContractShape` in `@leadrelay/sdk/internal`); these compile what it accepts.
 */
export { capLabel, capReason, capWindow, type CapWindowSpan } from './cap-window.calculator';
export { contractProblems } from './contract.problems';
export { compileCriteria, criteriaFields, type CriteriaCheck, type LeadValues } from './criteria.compiler';
export { dedupeKey } from './dedupe-key.calculator';
export { compileHours, type OpeningHours } from './delivery-hours.compiler';
export { parseDuration } from './duration.parser';
