import type { FastifyRequest } from 'fastify';
import { DateTime, IANAZone } from 'luxon';

/**
 * The operator's time zone (docs/api.md › Console › Time zone): a cookie the zone page sets, or
 * the browser's own zone that /console/assets/tz.js writes into it once. Not a secret and not
 * HttpOnly, so the script can see that a zone is already chosen and leave it alone.
 */
export const ZONE_COOKIE = 'leadrelay_tz';

/** The zone a console request shows times in: its cookie's when that names a zone, else UTC. */
export function consoleZone(req: FastifyRequest): string {
  const zone = req.cookies?.[ZONE_COOKIE];
  return zone && isZone(zone) ? zone : 'UTC';
}

export function isZone(zone: string): boolean {
  return zone === 'UTC' || IANAZone.isValidZone(zone);
}

/** Every zone an operator can choose: UTC, then the IANA names this Node.js knows. */
export function zoneNames(): string[] {
  return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
}

/** `2026-12-03 08:14:05 CST`: the instant in `zone`, with the zone's abbreviation (or its offset where it has none). */
export function zoneTime(value: Date | string, zone: string): string {
  const time = DateTime.fromJSDate(new Date(value), { zone });
  return time.isValid ? time.toFormat('yyyy-MM-dd HH:mm:ss ZZZZ', { locale: 'en-US' }) : String(value);
}

/**
 * Learns the browser's zone: on a console page without the cookie it writes the cookie (path
 * /console, a year) and, when the page shows times or the zone (signed in), reloads it once so
 * they are in that zone; the login page just keeps it for the pages after it. Without script the
 * console shows UTC and the zone page still works.
 */
export const ZONE_SCRIPT = `(function () {
  var has = function () { return /(?:^|; )${ZONE_COOKIE}=/.test(document.cookie); };
  if (has()) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  document.cookie = '${ZONE_COOKIE}=' + encodeURIComponent(zone) + '; path=/console; max-age=31536000; samesite=strict';
  if (has() && document.querySelector('time, a.zone')) location.reload();
})();
`;
