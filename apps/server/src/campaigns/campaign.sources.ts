import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * A campaign file and every relative file it imports (TypeScript, JSON, templates), by path
 * relative to the campaign file's folder: enough to load this version again later, whatever the
 * files on disk have become (docs/architecture.md, "Campaign versions"). Imports are read
 * statically, the way the campaign loader resolves them; nothing is run.
 */
export function campaignSources(file: string): Record<string, string> {
  const root = path.dirname(path.resolve(file));
  const sources: Record<string, string> = {};
  const visit = (absolute: string) => {
    const key = path.relative(root, absolute).split(path.sep).join('/');
    if (key in sources) return;
    const text = fs.readFileSync(absolute, 'utf8');
    sources[key] = text;
    if (!absolute.endsWith('.ts')) return;
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(absolute), ref.fileName);
      const found = [base, `${base}.ts`, path.join(base, 'index.ts')].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
      if (found) visit(found);
    }
  };
  visit(path.resolve(file));
  return sources;
}

/**
 * Whether any of these files differs from the git commit (changed, staged or untracked); undefined
 * outside a git work tree.
 */
export function gitDirty(dir: string, files: string[]): boolean | undefined {
  const run = (args: string[]) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  try {
    run(['rev-parse', '--verify', 'HEAD']);
    return run(['status', '--porcelain', '--untracked-files=all', '--', ...files]).trim() !== '';
  } catch {
    return undefined;
  }
}

/** Writes a stored version's sources into a fresh folder, laid out as they were, and answers the campaign file's path. */
export function materialise(sources: Record<string, string>, campaignFile: string, into: string): string {
  // Imports may reach above the campaign's folder (`../shared/x.ts`): nest the folder deep enough.
  const depth = Math.max(0, ...Object.keys(sources).map((k) => k.split('/').filter((p) => p === '..').length));
  const root = path.join(into, ...Array.from({ length: depth }, (_, i) => `up${i}`));
  for (const [key, text] of Object.entries(sources)) {
    const target = path.join(root, ...key.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
  return path.join(root, campaignFile);
}
