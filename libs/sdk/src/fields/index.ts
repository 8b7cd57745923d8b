import { booleanField } from './boolean.field';
import { dateField } from './date.field';
import { emailField } from './email.field';
import { FieldType } from './field-type';
import { numberField } from './number.field';
import { phoneField } from './phone.field';
import { postalCodeField } from './postal-code.field';
import { stateField } from './state.field';
import { textField } from './text.field';

export * from './field-type';
export * from './normalise-lead';

export const FIELD_TYPES: Record<string, FieldType> = Object.fromEntries(
  [textField, emailField, phoneField, postalCodeField, stateField, numberField, booleanField, dateField].map((t) => [t.name, t]),
);

export type FieldTypeName = 'text' | 'email' | 'phone' | 'postal_code' | 'state' | 'number' | 'boolean' | 'date';

/** A declared lead attribute. `N` is its name as a type, so deliveries can only name declared fields. */
export interface FieldDefinition<N extends string = string> {
  /** The field's name in intake bodies, files and templates: lower snake case, e.g. `first_name`. */
  readonly name: N;
  readonly type: FieldTypeName;
  /** A lead without it is refused with 422. @default false */
  readonly required: boolean;
  readonly description?: string;
}

export interface FieldOptions {
  /** A lead without this field is refused with 422. @default false */
  required?: boolean;
  /** Shown in the console and the admin API. */
  description?: string;
}

const make =
  (type: FieldTypeName) =>
  <const N extends string>(name: N, options: FieldOptions = {}): FieldDefinition<N> => ({
  name,
  type,
  required: options.required ?? false,
  ...(options.description ? { description: options.description } : {}),
});

/** Field constructors: `field.email('email', { required: true })`. */
export const field = {
  /** Free text, trimmed. */
  text: make('text'),
  /** E-mail address, trimmed and lower-cased. */
  email: make('email'),
  /** US phone number, normalised to 10 digits. */
  phone: make('phone'),
  /** US ZIP or Canadian postal code. */
  postalCode: make('postal_code'),
  /** US state, normalised to its 2-letter code. */
  state: make('state'),
  /** A number. */
  number: make('number'),
  /** true/false, yes/no, 1/0. */
  boolean: make('boolean'),
  /** A date, normalised to `YYYY-MM-DD`. */
  date: make('date'),
};
