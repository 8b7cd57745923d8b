/**
 * `@leadrelay/sdk`: what campaign files import — `defineCampaign`, fields, `env()`, the built-in
 * deliveries and their bodies, auth, classifiers and schedules. Plugin authors import
 * `@leadrelay/sdk/plugin`; the host's own needs are in `@leadrelay/sdk/internal`.
 * See docs/campaigns.md.
 */
export { env, type EnvRef, type Secretable } from './env';
export { field, type FieldDefinition, type FieldOptions, type FieldTypeName } from './fields';
export { defineCampaign, type CampaignDefinition, type Margin } from './campaign';
export {
  classifyWith,
  leadconduit,
  rules,
  type BuyerResponse,
  type Classification,
  type Classifier,
  type ClassifierFunction,
  type ClassifierRule,
  type LeadConduitOptions,
  type ValueSource,
} from './classifier';
export type { Outcome } from './plugin-contract';
export { delivery, type DeliveryDefinition } from './deliveries/delivery';
export type { DeliverySettings, RetryPolicy } from './deliveries/delivery-settings';
export type { ResponseExample } from './deliveries/response-example';
export type {
  Breaker,
  BuyerContract,
  Cap,
  CapWindow,
  Criteria,
  CriteriaFunction,
  Dedupe,
  DeliveryHours,
  Duration,
  FieldCondition,
  LeadValue,
  RateLimit,
} from './deliveries/buyer-contract';
export { at, cron, every, realtime, type ScheduleSpec } from './deliveries/schedule';
export { basic, bearer, form, httpPost, json, text, xml, type Auth, type BodyTemplate, type HttpPostOptions } from './deliveries/http-post.options';
export { email, type EmailOptions } from './deliveries/email.options';
export { manualFile, type ManualFileOptions } from './deliveries/manual-file.options';
export { pingPost, type AuctionBuyer, type PingPostOptions } from './deliveries/ping-post.options';
