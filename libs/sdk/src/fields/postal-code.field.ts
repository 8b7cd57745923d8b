import { FieldType, bad, ok } from './field-type';

/** US ZIP (`12345`, `12345-6789`) or Canadian postal code (`A1A 1A1`). */
export const postalCodeField: FieldType = {
  name: 'postal_code',
  normalise(raw) {
    const text = String(raw).trim().toUpperCase();
    const us = /^(\d{5})(?:[-\s]?(\d{4}))?$/.exec(text);
    if (us) return ok(us[2] ? `${us[1]}-${us[2]}` : us[1]);
    const ca = /^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])\s?(\d[ABCEGHJ-NPRSTV-Z]\d)$/.exec(text);
    if (ca) return ok(`${ca[1]} ${ca[2]}`);
    return bad('is not a valid US or Canadian postal code');
  },
};
