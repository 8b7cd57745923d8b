import type { FastifyRequest } from 'fastify';

/**
 * Why a state-changing console request is refused as coming from another site, or undefined when
 * it may go on (docs/api.md › Console › Forms). Browsers say where a request comes from in
 * `Sec-Fetch-Site` and `Origin`; `same-site` is refused too, because a sibling subdomain or another
 * port of the same host is a different site for us, and SameSite cookies alone let it in. A
 * request with neither header (curl, an old browser) still needs the form's CSRF token.
 */
export function crossSiteReason(req: FastifyRequest): string | undefined {
  const fetchSite = String(req.headers['sec-fetch-site'] ?? '').toLowerCase();
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return `the request came from another site (Sec-Fetch-Site: ${fetchSite})`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const own = `${req.protocol}://${req.host}`.toLowerCase();
  if (origin.toLowerCase() !== own) return `the request came from ${origin}, not from ${own}`;
  return undefined;
}
