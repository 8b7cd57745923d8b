/**
 * JSON templates end objects right after a value: `{"zip": {{json zip}}}`. Handlebars reads that
 * `}}}` as the close of a `{{{raw}}}` output and refuses the template. Where a `}}}` closes a
 * `{{…}}` expression, an empty comment is put between its `}}` and the body's `}`; the positions
 * it shifts are mapped back for error messages.
 */
export interface PreparedSource {
  source: string;
  /** A (line, column) of the prepared source as a (line, column) of the original; 1-based. */
  original(line: number, column: number): { line: number; column: number };
}

const SPLIT = '{{!}}';

export function prepareTemplateSource(input: string): PreparedSource {
  const insertions: { line: number; column: number }[] = [];
  let out = '';
  let i = 0;
  const copyThrough = (end: RegExp) => {
    end.lastIndex = i + 3;
    const stop = end.exec(input) ? end.lastIndex : input.length;
    out += input.slice(i, stop);
    i = stop;
  };
  while (i < input.length) {
    const next = input.indexOf('{{', i);
    if (next < 0) {
      out += input.slice(i);
      break;
    }
    out += input.slice(i, next);
    i = next;
    if (input[i - 1] === '\\' && input[i - 2] !== '\\') {
      out += '{{';
      i += 2;
    } else if (input.startsWith('{{!--', i) || input.startsWith('{{~!--', i)) copyThrough(/--~?}}/g);
    else if (input.startsWith('{{!', i) || input.startsWith('{{~!', i)) copyThrough(/}}/g);
    else if (input.startsWith('{{{{', i)) copyThrough(/}}}}/g);
    else if (input.startsWith('{{{', i)) i = copyExpression(input, i, '}}}', (s) => (out += s));
    else {
      i = copyExpression(input, i, '}}', (s) => (out += s));
      if (input.startsWith('}', i) && input.slice(i - 2, i) === '}}') {
        const line = out.split('\n').length;
        insertions.push({ line, column: out.length - out.lastIndexOf('\n') });
        out += SPLIT;
      }
    }
  }
  return {
    source: out,
    original(line, column) {
      const shift = insertions.filter((p) => p.line === line && p.column < column).length * SPLIT.length;
      return { line, column: column - shift };
    },
  };
}

/** Copies one `{{ … }}` expression, skipping string literals that may hold braces. */
function copyExpression(input: string, start: number, close: string, write: (s: string) => void): number {
  let j = start + 2;
  while (j < input.length) {
    const c = input[j];
    if (c === '"' || c === "'") {
      j++;
      while (j < input.length && input[j] !== c) j += input[j] === '\\' ? 2 : 1;
      j++;
    } else if (input.startsWith(close, j)) {
      j += close.length;
      break;
    } else j++;
  }
  write(input.slice(start, j));
  return j;
}
