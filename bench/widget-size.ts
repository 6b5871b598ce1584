// Size of the web front ends as a shop and an agent download them: builds web/dist, then reports
// raw, gzip (level 9, what the server sends from the precompressed .gz) and Brotli sizes.
// Writes bench/results/widget-size.md. `npm run bench:widget-size`.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildWeb } from '../web/build.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(repo, 'web/dist');
const BUDGET_GZIP = 60 * 1024;

const started = Date.now();
if (!(await buildWeb())) throw new Error('vite is not installed: cannot build the web front ends');
const buildMs = Date.now() - started;

interface Row {
  file: string;
  raw: number;
  gzip: number;
  brotli: number;
}

function measure(file: string): Row {
  const bytes = readFileSync(file);
  return {
    file: path.relative(dist, file),
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const list = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? list(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
const rows = list(dist)
  .filter((file) => /\.(js|css|html)$/.test(file))
  .map(measure)
  .sort((a, b) => a.file.localeCompare(b.file));
const widget = rows.find((row) => row.file === 'widget/widget.js');
if (!widget) throw new Error('web/dist/widget/widget.js missing after the build');
const consoleRows = rows.filter((row) => row.file.startsWith('console/'));
const sum = (key: 'raw' | 'gzip' | 'brotli') => consoleRows.reduce((total, row) => total + row[key], 0);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const preact = JSON.parse(readFileSync(path.join(repo, 'node_modules/preact/package.json'), 'utf8')) as {
  version: string;
};
// The framework's own share: the package's minified builds of the core and the hooks.
const runtime = Buffer.concat(
  ['preact/dist/preact.mjs', 'preact/hooks/dist/hooks.mjs'].map((file) =>
    readFileSync(path.join(repo, 'node_modules', file)),
  ),
);
const runtimeGzip = gzipSync(runtime, { level: 9 }).length;

const lines = [
  '# Web front-end size',
  '',
  `\`npm run bench:widget-size\` — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}; Vite build of both front ends took ${buildMs} ms.`,
  `Preact ${preact.version}; gzip level 9 (the \`.gz\` the server sends), Brotli quality 11 (\`.br\`).`,
  '',
  `**widget.js: ${kb(widget.gzip)} kB gzip** (${kb(widget.brotli)} kB Brotli, ${kb(widget.raw)} kB raw) against a budget of 60 kB gzip: ${widget.gzip <= BUDGET_GZIP ? 'within budget' : '**over budget**'}.`,
  `It is everything a shop page loads: Preact, the UI, its styles (inlined into the shadow root) and the strings of all three languages.`,
  `Of that, Preact itself (core + hooks, the package's minified builds) is ${kb(runtimeGzip)} kB gzip.`,
  '',
  '| file | raw kB | gzip kB | Brotli kB |',
  '|---|---:|---:|---:|',
  ...rows.map((row) => `| \`${row.file}\` | ${kb(row.raw)} | ${kb(row.gzip)} | ${kb(row.brotli)} |`),
  `| console total | ${kb(sum('raw'))} | ${kb(sum('gzip'))} | ${kb(sum('brotli'))} |`,
  '',
];
const markdown = lines.join('\n');
writeFileSync(path.join(repo, 'bench/results/widget-size.md'), markdown);
console.log(markdown);
if (widget.gzip > BUDGET_GZIP) process.exitCode = 1;
