/**
 * Exactly a UUID's shape. Every id the API and console take is one: anything else is "not found"
 * before a query sees it, since PostgreSQL would refuse the cast (a 500, not a 404).
 */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
