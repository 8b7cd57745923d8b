import { PHONE_NUMBER_PATTERN, PLAIN_NUMBER_PATTERN, type RowFormat } from './file-row.formatter';

/*
 * PostgreSQL writes the file's rows itself with `COPY … (FORMAT csv)`, whose quoting is the file
 * format's: a value holding the delimiter, a quote, CR or LF is quoted, quotes doubled (with
 * DELIMITER E'\t' that is exactly the TSV rule). What COPY does not do is added around it:
 *
 * - the formula guard, as a CASE on the value's first char: a simple `CASE ascii(v) WHEN …` was
 *   measured several times cheaper than `ascii(v) IN (…)` or `left(v, 1) IN (…)`, and the regexes
 *   run only for values starting with `+` or `-`;
 * - empty values: COPY quotes an empty string to tell it from NULL; the file does not, so in
 *   `needed` mode '' becomes NULL (written bare) and in `all` mode NULL becomes '' (FORCE_QUOTE
 *   quotes it, as the JS writer does);
 * - `\r\n` line ends and the header row, added by the stream (file-copy.stream.ts).
 *
 * Building each whole line in SQL (quoting by `strpos`/`replace`, `E'\r\n'`, emitted as one
 * column with FORMAT binary) was measured too: about three times the server CPU of this form.
 */

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** One column's value as the file has it, from the column's text `v`. */
function columnSql(v: string, format: RowFormat): string {
  const bare = format.quote === 'all' ? `coalesce(${v}, '')` : `nullif(${v}, '')`;
  if (!format.formulaGuard) return bare;
  const guarded = `'''' || ${v}`;
  const number = `${v} ~ ${literal(PLAIN_NUMBER_PATTERN)}`;
  const phone = `${v} ~ ${literal(PHONE_NUMBER_PATTERN)}`;
  // ascii('') is 0 and ascii(NULL) is NULL: both fall through to ELSE.
  return (
    `CASE ascii(${v})` +
    ` WHEN 61 THEN ${guarded} WHEN 64 THEN ${guarded} WHEN 9 THEN ${guarded} WHEN 13 THEN ${guarded}` +
    ` WHEN 43 THEN CASE WHEN ${number} OR ${phone} THEN ${v} ELSE ${guarded} END` +
    ` WHEN 45 THEN CASE WHEN ${number} THEN ${v} ELSE ${guarded} END` +
    ` ELSE ${bare} END`
  );
}

/**
 * The `COPY … TO STDOUT` statement whose output, once its line ends are made `\r\n`
 * (`CsvLineEnds`), is byte for byte what the JS writer writes for the same values, without the
 * header row.
 *
 * `select` is any SELECT whose first `columnCount` columns are the file's values in file order
 * (cast to text here; give text in the file's form: see `fileTimestampSql`). COPY takes no bind
 * parameters, so values in it must be inlined as literals. When PostgreSQL flattens the
 * subquery (it does unless `select` sorts, groups or limits), a column expression may run twice
 * per row (in `ascii()` and as the value): measured cheaper than fencing it with `OFFSET 0`.
 */
export function buildFileCopySql(select: string, columnCount: number, format: RowFormat): string {
  if (!Number.isInteger(columnCount) || columnCount < 1) throw new Error('a file needs at least one column');
  const names = Array.from({ length: columnCount }, (_, i) => `c${i}`);
  const columns = names.map((name) => columnSql(`f.${name}::text`, format));
  const options = ['FORMAT csv'];
  if (format.format === 'tsv') options.push(`DELIMITER E'\\t'`);
  if (format.quote === 'all') options.push('FORCE_QUOTE *');
  return `COPY (SELECT ${columns.join(', ')} FROM (${select}) AS f(${names.join(', ')})) TO STDOUT (${options.join(', ')})`;
}

/** A timestamptz as the JS writer writes a Date (`toISOString()`, UTC, milliseconds). */
export function fileTimestampSql(expression: string): string {
  return `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
