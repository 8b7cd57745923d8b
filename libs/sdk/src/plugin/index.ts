/**
 * `@leadrelay/sdk/plugin`: the delivery-plugin author's contract — `definePlugin`, the tools the
 * host hands a plugin, its errors, and the option building blocks the built-in plugins use.
 * See docs/plugins.md.
 */
export * from '../plugin-contract';
export { definePlugin } from '../plugin-brand';
export { delivery, fieldList, fieldMapping, secretable, type DeliveryDefinition } from '../deliveries/delivery';
export type { DeliverySettings, RetryPolicy } from '../deliveries/delivery-settings';
export { fileFormatSchema, quoteSchema } from '../deliveries/file-options';
export { scheduleSchema, intervalMs, isTimeZone, type ScheduleSpec } from '../deliveries/schedule';
export { closestName, unknownName } from '../nearest-name';
export { timeZoneProblem } from '../deliveries/buyer-contract.schema';
export type { BuyerResponse, Classification, Classifier, ClassifierFunction, ClassifierRule, LeadConduitOptions, ValueSource } from '../classifier';
export type { EnvRef, Secretable } from '../env';
export type { FieldDefinition, FieldTypeName } from '../fields';
// The built-in plugins' option schemas (their campaign helpers are in `@leadrelay/sdk`).
export { httpPostOptionsSchema, type HttpPostOptions } from '../deliveries/http-post.options';
export { emailOptionsSchema, type EmailOptions } from '../deliveries/email.options';
export { manualFileOptionsSchema, type ManualFileOptions } from '../deliveries/manual-file.options';
export { FILE_NAME_VARIABLES, fileColumns, fileLayout, fileLayoutProblems, type FileLayoutOptions } from '../deliveries/file-layout';
