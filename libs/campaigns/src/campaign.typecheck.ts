import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The project's root: the folder holding the SDK's TypeScript source, found from here whether this
 * runs from `libs/` (tests) or from `dist/libs/` (the built CLI).
 */
function projectRoot(): string | undefined {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'libs/sdk/src/index.ts'))) return dir;
  }
  return undefined;
}

/**
 * TypeScript's diagnostics for campaign files, as `file › line:col: message (TS2322)` — what the
 * editor underlines (a misspelled field name, a wrong option type), reported by `campaigns:check`
 * beside the load checks (docs/campaigns.md › Checking campaign files). The files are checked
 * against the SDK's own source with the project's strictness; only diagnostics in the campaign
 * folder are reported. Incremental: a second run on unchanged files reuses the first's work.
 */
export function typeCheckCampaignFiles(files: readonly string[], dir: string): string[] {
  const root = projectRoot();
  if (files.length === 0 || !root) return [];
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    resolveJsonModule: true,
    experimentalDecorators: true,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules/@types')],
    baseUrl: root,
    paths: {
      '@leadrelay/sdk/plugin': ['libs/sdk/src/plugin/index'],
      '@leadrelay/sdk/internal': ['libs/sdk/src/internal/index'],
      '@leadrelay/plugins/*': ['plugins/*'],
      '@leadrelay/*': ['libs/*/src'],
    },
    incremental: true,
    tsBuildInfoFile: path.join(os.tmpdir(), `leadrelay-campaigns-${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 12)}.tsbuildinfo`),
  };
  const host = ts.createIncrementalCompilerHost(options);
  const program = ts.createIncrementalProgram({ rootNames: [...files], options, host });
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics(), ...program.getGlobalDiagnostics()];
  program.emit();
  const folder = path.resolve(dir) + path.sep;
  return diagnostics
    .filter((d) => d.category === ts.DiagnosticCategory.Error && d.file && path.resolve(d.file.fileName).startsWith(folder))
    .map((d) => {
      const file = path.relative(process.cwd(), d.file!.fileName) || d.file!.fileName;
      const { line, character } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${file} › ${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')} (TS${d.code})`;
    });
}
