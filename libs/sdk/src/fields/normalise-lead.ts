import { FIELD_TYPES, type FieldDefinition } from './index';
import { unstorableFields } from './storable-text';

export interface FieldError {
  field: string;
  message: string;
}

/** Normalises the declared fields of a submission; every problem is listed, none stored. */
export function normaliseLead(
  fields: readonly FieldDefinition[],
  submission: Record<string, unknown>,
): { data: Record<string, string | number | boolean | null>; errors: FieldError[] } {
  const data: Record<string, string | number | boolean | null> = {};
  const errors: FieldError[] = [];
  for (const field of fields) {
    const raw = Object.prototype.hasOwnProperty.call(submission, field.name) ? submission[field.name] : undefined;
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      if (field.required) errors.push({ field: field.name, message: 'is required' });
      data[field.name] = null;
      continue;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      errors.push({ field: field.name, message: 'must be a string, number or boolean' });
      continue;
    }
    const result = FIELD_TYPES[field.type].normalise(raw);
    if (result.ok) data[field.name] = result.value;
    else errors.push({ field: field.name, message: result.message });
  }
  for (const [key, value] of Object.entries(submission)) {
    if (value !== null && typeof value === 'object') {
      if (!fields.some((f) => f.name === key)) errors.push({ field: key, message: 'must be a string, number or boolean' });
    }
  }
  // Declared or not, everything submitted is kept in `raw`: text that cannot be stored is refused here.
  errors.push(...unstorableFields(submission));
  return { data, errors };
}
