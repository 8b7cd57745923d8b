#!/usr/bin/env node
// `node scripts/build-if-stale.js`: runs `npm run build` only when a source of the build is newer
// than the last successful build (or there is none), so `npm start`, `campaigns:check` and the
// CLI answer at once on an unchanged tree (README, "Fast loop"). Campaign files are not part of
// the build: they are loaded from source at run time.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const SOURCES = ['apps', 'libs', 'plugins'];
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];
const SKIP = /(^|\/)(node_modules|dist|testing)(\/|$)|\.spec\.ts$/;

/** The newest modification time under the build's inputs (ms), stopping early once past `than`. */
function newest(than) {
  let max = 0;
  const visit = (p) => {
    if (max > than || SKIP.test(path.relative(ROOT, p))) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    // A deleted file changes the build too: a folder's own time moves when an entry goes.
    max = Math.max(max, st.mtimeMs);
  };
  for (const d of SOURCES) if (fs.existsSync(path.join(ROOT, d))) visit(path.join(ROOT, d));
  for (const f of FILES) if (fs.existsSync(path.join(ROOT, f))) max = Math.max(max, fs.statSync(path.join(ROOT, f)).mtimeMs);
  return max;
}

const built = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
if (built && newest(built) <= built) process.exit(0);
const started = Date.now();
execSync('npm run --silent build', { cwd: ROOT, stdio: 'inherit' });
fs.mkdirSync(path.dirname(STAMP), { recursive: true });
// The stamp takes the time the build started: a file saved during the build counts as newer.
fs.writeFileSync(STAMP, '');
fs.utimesSync(STAMP, new Date(started), new Date(started));
