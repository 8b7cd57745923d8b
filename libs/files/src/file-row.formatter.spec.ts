import { formatHeader, formatRow, formatValue, needsFormulaGuard, type RowFormat } from './file-row.formatter';

const csv: RowFormat = { format: 'csv', quote: 'needed', formulaGuard: true };
const tsv: RowFormat = { format: 'tsv', quote: 'needed', formulaGuard: true };
const csvAll: RowFormat = { ...csv, quote: 'all' };

describe('formatValue', () => {
  it('writes null and undefined as empty, booleans as true/false, numbers as String(n), dates as ISO UTC', () => {
    expect(formatValue(null, csv)).toBe('');
    expect(formatValue(undefined, csv)).toBe('');
    expect(formatValue(true, csv)).toBe('true');
    expect(formatValue(false, csv)).toBe('false');
    expect(formatValue(12.5, csv)).toBe('12.5');
    expect(formatValue(1e21, csv)).toBe('1e+21');
    expect(formatValue(-3, csv)).toBe('-3');
    expect(formatValue(new Date('2024-03-05T06:07:08.009Z'), csv)).toBe('2024-03-05T06:07:08.009Z');
  });

  it('quotes a CSV value holding a comma, quote, CR or LF, and doubles its quotes', () => {
    expect(formatValue('a,b', csv)).toBe('"a,b"');
    expect(formatValue('say "hi"', csv)).toBe('"say ""hi"""');
    expect(formatValue('a\rb', csv)).toBe('"a\rb"');
    expect(formatValue('a\nb', csv)).toBe('"a\nb"');
    expect(formatValue('a\tb', csv)).toBe('a\tb');
    expect(formatValue(" O'Brien ", csv)).toBe(" O'Brien ");
    expect(formatValue('', csv)).toBe('');
  });

  it('quotes a TSV value holding a tab, quote or line break, but not one holding a comma', () => {
    expect(formatValue('a\tb', tsv)).toBe('"a\tb"');
    expect(formatValue('a"b', tsv)).toBe('"a""b"');
    expect(formatValue('a\r\nb', tsv)).toBe('"a\r\nb"');
    expect(formatValue('a,b', tsv)).toBe('a,b');
  });

  it('quotes every value, empty ones too, with quote: all', () => {
    expect(formatValue('plain', csvAll)).toBe('"plain"');
    expect(formatValue('', csvAll)).toBe('""');
    expect(formatValue(null, csvAll)).toBe('""');
    expect(formatValue(7, { ...tsv, quote: 'all' })).toBe('"7"');
  });

  it('keeps UTF-8 text as it is', () => {
    expect(formatValue('José Zoë 😀 日本', csv)).toBe('José Zoë 😀 日本');
  });
});

describe('formula guard', () => {
  it.each([
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['=1+2', "'=1+2"],
    ['+cmd|x', "'+cmd|x"],
    ['-2+3+cmd', "'-2+3+cmd"],
    ['-', "'-"],
    ['=', "'="],
    ['@', "'@"],
    ['+', "'+"],
    ['+1-1', "'+1-1"],
    ['\t=x', "'\t=x"],
    ['\r=x', '"\'\r=x"'],
  ])('prefixes %j with a quote mark', (value, written) => {
    expect(formatValue(value, csv)).toBe(written);
  });

  it.each(['-12.5', '+3', '-0', '+.5', '-1e5', '-1.5E-7', '+15125550100', '+1 (512) 555-0100', '+44 20 7946 0958'].map((v) => [v]))(
    'leaves plain numbers and phone numbers alone: %j',
    (value) => {
      expect(formatValue(value, csv)).toBe(value);
    },
  );

  it('guards only the first character: a formula after a space or in the middle stays as it is', () => {
    expect(needsFormulaGuard(' =1+2')).toBe(false);
    expect(needsFormulaGuard('a=b')).toBe(false);
    expect(needsFormulaGuard('')).toBe(false);
  });

  it('guards a TSV value starting with a tab, and quotes it since it holds a tab', () => {
    expect(formatValue('\tx', tsv)).toBe('"\'\tx"');
  });

  it('is off when told', () => {
    expect(formatValue('=HYPERLINK("x")', { ...csv, formulaGuard: false })).toBe('"=HYPERLINK(""x"")"');
    expect(formatValue('@SUM(A1)', { ...csv, formulaGuard: false })).toBe('@SUM(A1)');
  });
});

describe('formatRow and formatHeader', () => {
  it('joins by the delimiter and ends every row with CRLF', () => {
    expect(formatRow(['a', 1, null, true, 'x,y'], csv)).toBe('a,1,,true,"x,y"\r\n');
    expect(formatRow(['a', 1, null, true, 'x,y'], tsv)).toBe('a\t1\t\ttrue\tx,y\r\n');
    expect(formatRow(['a', null], csvAll)).toBe('"a",""\r\n');
  });

  it('writes a row of one empty value as an empty line', () => {
    expect(formatRow([''], csv)).toBe('\r\n');
  });

  it('quotes a lone \\. in a one-column file, as PostgreSQL COPY does', () => {
    expect(formatRow(['\\.'], csv)).toBe('"\\."\r\n');
    expect(formatRow(['\\.', 'x'], csv)).toBe('\\.,x\r\n');
  });

  it('never guards headings (they come from the campaign file), but quotes them as values', () => {
    expect(formatHeader(['-phone', 'a,b', 'email'], csv)).toBe('-phone,"a,b",email\r\n');
    expect(formatHeader(['-phone', 'email'], csvAll)).toBe('"-phone","email"\r\n');
  });
});
