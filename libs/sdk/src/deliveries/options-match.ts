/**
 * `true` when a documented options type (what campaign authors read in their editor) has exactly
 * the keys of its schema's input and fits it; anything else makes the assignment `= true` fail.
 */
export type OptionsMatch<Documented, SchemaInput> = [Exclude<keyof Documented, keyof SchemaInput>, Exclude<keyof SchemaInput, keyof Documented>] extends [never, never]
  ? Required<Documented> extends Required<SchemaInput>
    ? true
    : false
  : false;
