import { call, Code, type CodeValue } from './campaign-code.writer';
import type { SettingValue } from './leadconduit-step.reader';
import { looksSecret } from './leadconduit-value.template';

/** The `httpPost({...})` block being put together, and everything said about it in comments. */
export class ImportDraft {
  /** In the order the block lists them; unset ones are left out when written. */
  readonly options: Record<string, CodeValue | undefined> = {
    id: undefined,
    url: undefined,
    method: undefined,
    fields: undefined,
    mapping: undefined,
    body: undefined,
    headers: undefined,
    auth: undefined,
    timeoutMs: undefined,
    followRedirects: undefined,
    classify: undefined,
  };
  /** SDK helpers the block calls, for the import line. */
  readonly helpers = new Set<string>(['httpPost']);
  /** Campaign fields the templates use: the campaign must declare them. */
  readonly fields = new Set<string>();
  /** `NAME (setting)`: variables to set where the host runs. */
  readonly env: string[] = [];
  readonly notCarried: string[] = [];
  /** Carried over, but not byte for byte: worth a look. */
  readonly checks: string[] = [];
  readonly problems: string[] = [];

  constructor(
    readonly id: string,
    private readonly envPrefix: string,
  ) {}

  /** `env('ACME_X_API_KEY')` for a secret that was in the step, named after its setting. */
  secret(suffix: string, setting: string): Code {
    let name = `${this.envPrefix}_${upperSnake(suffix)}`;
    for (let n = 2; this.env.some((e) => e.startsWith(`${name} `)); n++) name = `${this.envPrefix}_${upperSnake(suffix)}_${n}`;
    this.env.push(`${name} (${setting})`);
    return this.helper('env', name);
  }

  helper(name: string, ...args: CodeValue[]): Code {
    this.helpers.add(name);
    return call(name, ...args);
  }

  /** One `// not carried over:` line, the value masked when it looks secret. */
  skip(name: string, value: SettingValue | undefined, why: string): void {
    this.notCarried.push(value === undefined ? `${name}: ${why}` : `${name} = ${shown(name, value)}: ${why}`);
  }
}

export const upperSnake = (text: string) =>
  text
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();

function shown(name: string, value: SettingValue): string {
  if (looksSecret(name, value)) return '<secret>';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
