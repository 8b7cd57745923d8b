import { XMLValidator } from 'fast-xml-parser';
import { TemplateError } from '@leadrelay/sdk/plugin';

/**
 * Checks a rendered body before it is sent. Values are escaped, so a body that does not parse means
 * the template itself is wrong (a missing comma, `{{{raw}}}` output): a configuration error, not
 * something a retry would fix. Returns null when the body parses.
 */
export function checkRenderedBody(kind: 'json' | 'xml', body: string, templateName: string): TemplateError | null {
  return kind === 'json' ? checkJson(body, templateName) : checkXml(body, templateName);
}

function checkJson(body: string, templateName: string): TemplateError | null {
  try {
    JSON.parse(body);
    return null;
  } catch (error) {
    const offset = jsonErrorOffset(body);
    const { line, column } = lineAndColumn(body, offset);
    const what = String(error.message).replace(/,? ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
    return new TemplateError(`template '${templateName}' rendered invalid JSON at line ${line}, column ${column}: ${what}`, templateName, line, column);
  }
}

function checkXml(body: string, templateName: string): TemplateError | null {
  const result = XMLValidator.validate(body);
  if (result === true) return null;
  const { line, col, msg } = result.err;
  const column = col ?? 1;
  return new TemplateError(`template '${templateName}' rendered invalid XML at line ${line}, column ${column}: ${msg}`, templateName, line, column);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Where JSON.parse gave up. V8 does not always say (`Unexpected token '}'`), so a small scanner
 * walks the grammar to the first offending character; it runs only for bodies that failed.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    for (const c of word) {
      if (text[i] !== c) fail();
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail();
      if (c === 0x5c) {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
        } else if ('"\\/bfnrt'.includes(text[i] ?? 'x')) i++;
        else fail();
      } else i++;
    }
    fail();
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (/[1-9]/.test(text[i] ?? '')) while (/[0-9]/.test(text[i] ?? '')) i++;
    else fail();
    if (text[i] === '.') {
      i++;
      if (!/[0-9]/.test(text[i] ?? '')) fail();
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!/[0-9]/.test(text[i] ?? '')) fail();
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i++;
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || /[0-9]/.test(c ?? '')) return number();
    fail();
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return text.length;
  } catch (offset) {
    if (typeof offset !== 'number') throw offset;
    return Math.min(offset, text.length);
  }
}
