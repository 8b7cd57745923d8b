import { DateTime, IANAZone } from 'luxon';

/**
 * The `date` helper's small format language, in the moment.js spelling most buyers' posting
 * instructions use: YYYY YY MM M DD D HH H hh h mm ss SSS A a Z ZZ X x, and `[literal]`.
 */
const TOKEN = /\[([^\]]*)]|YYYY|YY|MM|M|DD|D|HH|H|hh|h|mm|ss|SSS|A|a|ZZ|Z|X|x/g;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC. */
  offset: number;
}

/** A Date from a lead value: a Date, an ISO 8601 string, a `YYYY-MM-DD` date, or epoch milliseconds. */
export function toDate(value: unknown): { date: Date; dateOnly: boolean } | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : { date: value, dateOnly: false };
  if (typeof value === 'number') return Number.isFinite(value) ? { date: new Date(value), dateOnly: false } : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const date = new Date(Date.UTC(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3])));
    return Number.isNaN(date.getTime()) ? undefined : { date, dateOnly: true };
  }
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : { date, dateOnly: false };
}

/** The wall clock of `date` in `timeZone` (luxon), with its offset there. */
function zoneParts(date: Date, timeZone: string): Parts {
  const { year, month, day, hour, minute, second, millisecond, offset } = DateTime.fromJSDate(date, { zone: timeZone });
  return { year, month, day, hour, minute, second, millisecond, offset };
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}${colon ? ':' : ''}${pad(Math.abs(minutes) % 60)}`;
}

/**
 * Formats a date in `timeZone` (an IANA name, UTC by default). A calendar date (`YYYY-MM-DD`)
 * has no time zone to convert from, so it is never shifted.
 */
export function formatDate(value: { date: Date; dateOnly: boolean }, format: string, timeZone = 'UTC'): string {
  const { date } = value;
  const p = zoneParts(date, value.dateOnly ? 'UTC' : timeZone);
  const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  return format.replace(TOKEN, (token, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY': return pad(p.year, 4);
      case 'YY': return pad(p.year % 100);
      case 'MM': return pad(p.month);
      case 'M': return String(p.month);
      case 'DD': return pad(p.day);
      case 'D': return String(p.day);
      case 'HH': return pad(p.hour);
      case 'H': return String(p.hour);
      case 'hh': return pad(hour12);
      case 'h': return String(hour12);
      case 'mm': return pad(p.minute);
      case 'ss': return pad(p.second);
      case 'SSS': return pad(p.millisecond, 3);
      case 'A': return p.hour < 12 ? 'AM' : 'PM';
      case 'a': return p.hour < 12 ? 'am' : 'pm';
      case 'Z': return offsetText(p.offset, true);
      case 'ZZ': return offsetText(p.offset, false);
      case 'X': return String(Math.floor(date.getTime() / 1000));
      case 'x': return String(date.getTime());
      default: return token;
    }
  });
}

/** Whether `timeZone` is an IANA name this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  return IANAZone.isValidZone(timeZone);
}
