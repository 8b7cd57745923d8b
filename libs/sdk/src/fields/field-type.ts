/** What normalising one submitted value gave: the stored value, or why it was refused. */
export type Normalised = { ok: true; value: string | number | boolean } | { ok: false; message: string };

/** One field type: turns a submitted value into its normal form or a message for the lead source. */
export interface FieldType {
  readonly name: string;
  normalise(raw: string | number | boolean): Normalised;
}

export const ok = (value: string | number | boolean): Normalised => ({ ok: true, value });
export const bad = (message: string): Normalised => ({ ok: false, message });
