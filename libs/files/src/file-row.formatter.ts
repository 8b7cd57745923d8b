/**
 * One value as the writer takes it: strings as they are, numbers as `String(n)`, booleans as
 * `true`/`false`, dates as ISO 8601 UTC, `null`/`undefined` as an empty value.
 */
export type FileValue = string | number | boolean | Date | null | undefined;

/** How one row's values are written (docs/api.md, "File formats"). */
export interface RowFormat {
  format: 'csv' | 'tsv';
  /** `all` quotes every value, the header included; `needed` only values that must be. */
  quote: 'needed' | 'all';
  /** Prefix formula-leading values with `'` so spreadsheets show them as text. */
  formulaGuard: boolean;
}

/** A whole file: the row format, whether a header row comes first, and the column headings. */
export interface FileSpec extends RowFormat {
  header: boolean;
  /** Column headings in file order; every row has exactly this many values. */
  headers: readonly string[];
}

export const LINE_END = '\r\n';

/**
 * A "plain number" and a "phone number" for the formula guard. Both are also matched by
 * PostgreSQL (file-copy.query.ts), so they keep to syntax JS and PostgreSQL regexes read alike.
 * A phone has 7 to 15 digits (E.164) so that short arithmetic such as `+1-1` is still guarded.
 */
export const PLAIN_NUMBER_PATTERN = '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$';
export const PHONE_NUMBER_PATTERN = '^[+][ ().-]*([0-9][ ().-]*){7,15}$';
const PLAIN_NUMBER = new RegExp(PLAIN_NUMBER_PATTERN);
const PHONE_NUMBER = new RegExp(PHONE_NUMBER_PATTERN);

const QUOTE = 34;
const COMMA = 44;
const TAB = 9;
const LF = 10;
const CR = 13;

/**
 * Whether a spreadsheet would read the text as a formula: it starts with `=`, `+`, `-`, `@`, tab
 * or CR and is not a plain number (`-12.5`) or phone number (`+1 (512) 555-0100`).
 */
export function needsFormulaGuard(text: string): boolean {
  // A switch on the first char keeps the regexes off the hot path: almost no value starts so.
  switch (text.charCodeAt(0)) {
    case 61: // =
    case 64: // @
    case TAB:
    case CR:
      return true;
    case 43: // +
      return !PLAIN_NUMBER.test(text) && !PHONE_NUMBER.test(text);
    case 45: // -
      return !PLAIN_NUMBER.test(text);
    default:
      return false;
  }
}

/** A char scan, not a regex: this runs for every value of a million-row file. */
function needsQuotes(text: string, delimiter: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= COMMA && (c === delimiter || c === QUOTE || c === LF || c === CR)) return true;
  }
  return false;
}

/** The text a value stands for before guarding and quoting. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  // Same text as the SQL path's `to_char(… 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` (fileTimestampSql).
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function quoted(text: string): string {
  return '"' + (text.includes('"') ? text.replaceAll('"', '""') : text) + '"';
}

/** The hot path of `formatValue`, with the format's choices already read (once per row). */
function formatCell(value: unknown, delimiter: number, quoteAll: boolean, formulaGuard: boolean): string {
  let text = typeof value === 'string' ? value : valueText(value);
  if (formulaGuard && needsFormulaGuard(text)) text = "'" + text;
  return quoteAll || needsQuotes(text, delimiter) ? quoted(text) : text;
}

/** One value, guarded and quoted as the format says (no delimiter, no line end). */
export function formatValue(value: FileValue | unknown, format: RowFormat): string {
  return formatCell(value, format.format === 'csv' ? COMMA : TAB, format.quote === 'all', format.formulaGuard);
}

/**
 * One row, values joined by the format's delimiter, ending with `\r\n`.
 *
 * A single-column row holding exactly `\.` is quoted: PostgreSQL's COPY does so (the bare line
 * would mean end-of-data to COPY FROM and psql), and both paths must give the same bytes.
 */
export function formatRow(values: readonly (FileValue | unknown)[], format: RowFormat): string {
  const n = values.length;
  const quoteAll = format.quote === 'all';
  if (n === 1 && values[0] === '\\.' && !quoteAll) return '"\\."' + LINE_END;
  const csv = format.format === 'csv';
  const delimiterCode = csv ? COMMA : TAB;
  const delimiter = csv ? ',' : '\t';
  const guard = format.formulaGuard;
  let line = n > 0 ? formatCell(values[0], delimiterCode, quoteAll, guard) : '';
  for (let i = 1; i < n; i++) line += delimiter + formatCell(values[i], delimiterCode, quoteAll, guard);
  return line + LINE_END;
}

/** The header row: headings come from the campaign file, not from leads, so they are never guarded. */
export function formatHeader(headers: readonly string[], format: RowFormat): string {
  return formatRow(headers, { ...format, formulaGuard: false });
}
