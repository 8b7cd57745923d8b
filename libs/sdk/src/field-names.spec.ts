import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(ROOT, 'libs/sdk/testing/typed-fields.fixture.ts');

/** The fixture's type errors, as `line: message`, compiled with the project's own settings. */
function diagnostics(): { line: number; text: string }[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram([FIXTURE], { ...config.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === FIXTURE)
    .map((d) => ({ line: d.file!.getLineAndCharacterOfPosition(d.start!).line + 1, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') }));
}

/**
 * Field names are types (docs/campaigns.md, "Field names"): `defineCampaign` infers the declared
 * names, so a delivery naming another in `fields`, `mapping`, `when` or `dedupe` does not compile,
 * and the message names the field.
 */
describe('field names are types', () => {
  const found = diagnostics();
  const source = require('node:fs').readFileSync(FIXTURE, 'utf8').split('\n') as string[];
  const expected = source.flatMap((l, i) => (/\/\/ error: (\w+)/.exec(l) ? [{ line: i + 1, field: /\/\/ error: (\w+)/.exec(l)![1] }] : []));

  it('reports each misspelt field, on its line, naming it', () => {
    expect(expected).toHaveLength(5);
    for (const e of expected) {
      const hit = found.find((d) => d.line === e.line);
      expect(hit?.text).toContain(`"${e.field}"`);
    }
  }, 60_000);

  it('accepts declared names, and lists it cannot know (a computed string[])', () => {
    expect(found.filter((d) => !expected.some((e) => e.line === d.line))).toEqual([]);
  });
});
