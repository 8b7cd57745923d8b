import { hash } from 'node:crypto';
import type { LeadValue } from '@leadrelay/sdk';

/** A value as duplicates compare it: text trimmed, lower-cased and in one Unicode form; empty is none. */
function comparable(value: LeadValue | undefined): string | number | boolean | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  const text = value.normalize('NFC').trim().toLowerCase();
  return text === '' ? undefined : text;
}

/**
 * The key under which a lead counts as a duplicate: a sha256 (hex) of the scope and the `on`
 * fields with their comparable values (text compared without case or surrounding spaces; the order
 * of `on` does not matter). `null` when any `on` field is empty: a lead without the value is never
 * suppressed.
 *
 * @example dedupeKey('delivery:solar-tx/acme', ['email'], { email: ' Ana@Example.com ' }) === dedupeKey('delivery:solar-tx/acme', ['email'], { email: 'ana@example.com' })
 */
export function dedupeKey(scope: string, on: readonly string[], values: Readonly<Record<string, LeadValue>>): string | null {
  const parts: [string, string | number | boolean][] = [];
  for (const field of [...new Set(on)].sort()) {
    const value = comparable(values[field]);
    if (value === undefined) return null;
    parts.push([field, value]);
  }
  return hash('sha256', JSON.stringify([scope, parts]), 'hex');
}
