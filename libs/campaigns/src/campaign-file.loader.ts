import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';
import * as sdk from '@leadrelay/sdk';

/** The campaign helpers of an installed plugin (`@leadrelay/plugins/<name>`), or undefined when it is not installed. */
export type PluginExports = (name: string) => Readonly<Record<string, unknown>> | undefined;

const PLUGIN_IMPORT = /^@leadrelay\/plugins\/([a-z0-9][a-z0-9-]*)$/;

/** A campaign file that could not be read at all (syntax error, throws on load …). */
export class CampaignFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(message);
  }
}

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * Loads `campaigns/*.campaign.ts` without a build step: each file is transpiled on its own and run
 * with a `require` that gives it the host's own SDK instance, the campaign helpers of installed
 * plugins (`@leadrelay/plugins/<name>`), its relative imports (TypeScript, JSON, templates as text)
 * and Node built-ins — nothing else.
 */
export function loadCampaignModule(file: string, cache = new Map<string, unknown>(), pluginExports: PluginExports = () => undefined): unknown {
  const absolute = path.resolve(file);
  if (cache.has(absolute)) return cache.get(absolute);
  const source = fs.readFileSync(absolute, 'utf8');
  if (!absolute.endsWith('.ts')) {
    const value = absolute.endsWith('.json') ? JSON.parse(source) : source;
    cache.set(absolute, value);
    return value;
  }
  const out = ts.transpileModule(source, {
    fileName: absolute,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const syntax = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntax) {
    const pos = syntax.file && syntax.start !== undefined ? syntax.file.getLineAndCharacterOfPosition(syntax.start) : undefined;
    const where = pos ? `${pos.line + 1}:${pos.character + 1} ` : '';
    throw new CampaignFileError(file, `${where}${ts.flattenDiagnosticMessageText(syntax.messageText, '\n')}`);
  }
  const module = { exports: {} as Record<string, unknown> };
  cache.set(absolute, module.exports);
  const localRequire = (request: string): unknown => {
    if (request === '@leadrelay/sdk') return sdk;
    const plugin = PLUGIN_IMPORT.exec(request);
    if (plugin) {
      const exported = pluginExports(plugin[1]);
      if (!exported) throw new Error(`'${request}': no installed plugin is named '${plugin[1]}'`);
      return exported;
    }
    if (BUILTINS.has(request)) return require(request);
    if (request.startsWith('.')) {
      const base = path.resolve(path.dirname(absolute), request);
      const candidate = [base, `${base}.ts`, path.join(base, 'index.ts')].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
      if (!candidate) throw new Error(`cannot find '${request}'`);
      return loadCampaignModule(candidate, cache, pluginExports);
    }
    throw new Error(`campaign files may import only '@leadrelay/sdk', installed plugins' helpers ('@leadrelay/plugins/<name>'), relative files and Node built-ins, not '${request}'`);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('exports', 'require', 'module', '__filename', '__dirname', out.outputText)(
      module.exports,
      localRequire,
      module,
      absolute,
      path.dirname(absolute),
    );
  } catch (err) {
    throw new CampaignFileError(file, (err as Error).message);
  }
  cache.set(absolute, module.exports);
  return module.exports;
}

/** Every `*.campaign.ts` in a folder, sorted by name. */
export function listCampaignFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.campaign.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}
