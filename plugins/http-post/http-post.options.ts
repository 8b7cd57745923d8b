import type { z } from 'zod';
import { httpPostOptionsSchema } from '@leadrelay/sdk/plugin';

/**
 * The SDK's `httpPost` schema with one difference: a delivery that gives no `classify` keeps it
 * undefined instead of getting `leadconduit()`, so the plugin can tell "not given" (the safe
 * default reading, `classify/default.classifier.ts`) from a `leadconduit()` a campaign asked for.
 * The SDK's own schema still writes `classifierSchema.default(leadconduit())`; the host validates
 * with this one (a plugin's `optionsSchema`), so that default never takes effect.
 */
export const httpPostPluginOptionsSchema = httpPostOptionsSchema.extend({
  classify: httpPostOptionsSchema.shape.classify.unwrap().optional(),
});

/** The http-post delivery's options as the host hands them over: parsed, defaults applied, env() resolved. */
export type HttpPostPluginOptions = z.output<typeof httpPostPluginOptionsSchema>;
