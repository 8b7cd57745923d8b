/** TypeScript written as is: a call such as `env('ACME_PASSWORD')` or `json('…')`. */
export class Code {
  constructor(readonly text: string) {}
}

export type CodeValue = Code | string | number | boolean | CodeValue[] | { [key: string]: CodeValue | undefined };

/** A string literal; text with line breaks as a template literal, so an XML body stays readable. */
export function stringLiteral(text: string): string {
  if (text.includes('\n')) return `\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}'`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const propertyName = (name: string) => (IDENTIFIER.test(name) ? name : stringLiteral(name));

/** A value as campaign-file source: objects one property a line at the top, inline below. */
export function writeCode(value: CodeValue, indent = ''): string {
  if (value instanceof Code) return value.text;
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => writeCode(v)).join(', ')}]`;
  const entries = Object.entries(value).filter((e): e is [string, CodeValue] => e[1] !== undefined);
  if (indent === '') {
    return `{\n${entries.map(([k, v]) => `  ${propertyName(k)}: ${writeCode(v, '  ')},`).join('\n')}\n}`;
  }
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${propertyName(k)}: ${writeCode(v, indent)}`).join(', ')} }`;
}

/** `name(…)`: a helper call with written arguments. */
export function call(name: string, ...args: CodeValue[]): Code {
  return new Code(`${name}(${args.map((a) => writeCode(a, ' ')).join(', ')})`);
}

/** A `// …` comment line; line breaks inside become spaces. */
export const comment = (text: string) => `// ${text.replace(/\s*[\r\n]+\s*/g, ' ')}`;
