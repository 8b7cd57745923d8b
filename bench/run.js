#!/usr/bin/env node
// `npm run bench -- <name…>`: runs bench/<name>.bench.ts (all when none named). Benchmarks are
// TypeScript run straight from source through a small require hook, like campaign files.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const alias = /^@leadrelay\/(plugins\/)?(.+)$/.exec(request);
  if (alias) request = alias[1] ? path.join(ROOT, 'plugins', alias[2]) : path.join(ROOT, 'libs', alias[2], 'src');
  return resolveFilename.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true },
  });
  module._compile(out.outputText, filename);
};
require('reflect-metadata');

async function main() {
  const available = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : available;
  for (const name of names) {
    if (!available.includes(name)) {
      console.error(`no benchmark '${name}' (have: ${available.join(', ')})`);
      process.exitCode = 2;
      continue;
    }
    console.log(`\n=== ${name} ===`);
    const result = await require(path.join(__dirname, `${name}.bench.ts`)).main();
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`→ bench/results/${name}.json`);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
