import { DateTime } from 'luxon';
import { FieldType, bad, ok } from './field-type';

/** `YYYY-MM-DD`, or undefined for a day the calendar does not have (2024-02-30). */
function isoDate(year: number, month: number, day: number): string | undefined {
  const date = DateTime.utc(year, month, day);
  return date.isValid ? date.toISODate() : undefined;
}

/** A calendar date: ISO `2024-03-31` (a time part is dropped) or US `03/31/2024` → `2024-03-31`. */
export const dateField: FieldType = {
  name: 'date',
  normalise(raw) {
    const text = String(raw).trim();
    const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
    const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
    const value = iso ? isoDate(+iso[1], +iso[2], +iso[3]) : us ? isoDate(+us[3], +us[1], +us[2]) : undefined;
    return value ? ok(value) : bad('is not a valid date (YYYY-MM-DD or MM/DD/YYYY)');
  },
};
