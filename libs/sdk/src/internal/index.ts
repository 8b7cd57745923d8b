/**
 * `@leadrelay/sdk/internal`: what only the host uses — the campaign schema it validates files
 * with, lead normalisation, the plugin brand, the host settings' schema. Neither campaign files
 * nor plugins import this.
 */
export { campaignSchema, fieldSchema } from '../campaign';
export { FIELD_TYPES, normaliseLead, type FieldError, type FieldType, type Normalised } from '../fields';
export { isEnvRef } from '../env';
export { isDeliveryPlugin } from '../plugin-brand';
export { classifierSchema } from '../classifier';
export { DELIVERY_SETTING_KEYS, deliverySettingsSchema, retrySchema } from '../deliveries/delivery-settings';
export {
  buyerContractShape,
  CRITERIA_OPERATORS,
  criteriaProblems,
  durationMs,
  durationProblem,
  hoursProblems,
  HOURS_DAYS,
  openingWeek,
  timeZoneProblem,
  type CriteriaOperator,
  type OpeningRange,
} from '../deliveries/buyer-contract.schema';
export { closestName, unknownName } from '../nearest-name';
export type { AuctionBuyerDefinition, AuctionDefinition, AuctionPhaseDefinition } from '../deliveries/ping-post.options';
