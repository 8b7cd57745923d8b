import { z } from 'zod';
import type { DeliverySettings } from './delivery-settings';
import { delivery, fieldList, fieldMapping, type DeliveryDefinition, type FieldRefs } from './delivery';
import type { OptionsMatch } from './options-match';
import { fileFormatSchema, quoteSchema } from './file-options';

export const manualFileOptionsSchema = z
  .object({
    format: fileFormatSchema.default('csv'),
    quote: quoteSchema.default('needed'),
    header: z.boolean().default(true),
    fields: fieldList,
    mapping: fieldMapping,
    // Unique per batch by default: a day's downloads must not overwrite each other in a Downloads folder.
    fileName: z.string().min(1).default('{{campaign}}-{{delivery}}-{{date}}-{{batch}}.{{ext}}'),
    formulaGuard: z.boolean().default(true),
  })
  .strict();

export interface ManualFileOptions<F extends string = string> {
  /** Unique in the campaign. @example 'download' */
  id: string;
  /** Default file format; a person may choose another when downloading. @default 'csv' */
  format?: 'csv' | 'tsv';
  /** @default 'needed' */
  quote?: 'needed' | 'all';
  /** @default true */
  header?: boolean;
  /** @default every campaign field */
  fields?: F[];
  /** Campaign field name → column heading. */
  mapping?: Partial<Record<F, string>>;
  /** `{{campaign}}`, `{{delivery}}`, `{{date}}` (UTC, YYYY-MM-DD), `{{time}}` (UTC, HHMMSS), `{{batch}}` (the batch id), `{{ext}}`. A pattern without `{{batch}}` names every batch of a day alike. @default '{{campaign}}-{{delivery}}-{{date}}-{{batch}}.{{ext}}' */
  fileName?: string;
  /** Write formula-leading values so spreadsheets show them as text. @default true */
  formulaGuard?: boolean;
}

/** Manual delivery: a person downloads the pending leads as a file, which delivers them. */
export function manualFile<const F extends string = never>(
  options: ManualFileOptions<F> & Pick<DeliverySettings<F>, 'when' | 'caps' | 'dedupe'>,
): DeliveryDefinition<Omit<ManualFileOptions, 'id'>, FieldRefs<F>> {
  return delivery('manual-file', options) as DeliveryDefinition<Omit<ManualFileOptions, 'id'>, FieldRefs<F>>;
}

// The documented type and the schema cannot drift apart: this line stops compiling if they do.
// (`mapping` compared as the schema reads it: a record, whatever names it holds.)
const documented: OptionsMatch<Omit<ManualFileOptions, 'id' | 'mapping'> & { mapping?: Record<string, string> }, z.input<typeof manualFileOptionsSchema>> = true;
void documented;
