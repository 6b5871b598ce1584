// What Chart.js 4 adds to the agent console: bundles (Vite, minified, tree-shaken) an entry that
// imports and registers exactly what web/console/analytics.tsx uses (bar and line controllers,
// their elements, category and linear scales, legend, tooltip), and, for comparison, Chart.js with
// every component registered (`chart.js/auto`). Reports raw, gzip (level 9) and Brotli sizes.
// Writes bench/results/chart-size.md. Run: `npx tsx bench/chart-size.ts`.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));
const version = (
  JSON.parse(readFileSync(path.join(repo, 'node_modules/chart.js/package.json'), 'utf8')) as {
    version: string;
  }
).version;

const entries: Record<string, string> = {
  'line + bar (what the console registers)': `import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);
export { Chart };`,
  'everything (chart.js/auto)': `import Chart from 'chart.js/auto';
export { Chart };`,
};

// Inside the repository, so the entries resolve chart.js from its node_modules.
mkdirSync(path.join(repo, 'bench/results/tmp'), { recursive: true });
const work = mkdtempSync(path.join(repo, 'bench/results/tmp/chart-size-'));
const rows: Array<{ name: string; raw: number; gzip: number; brotli: number }> = [];
try {
  for (const [name, source] of Object.entries(entries)) {
    const dir = path.join(work, String(rows.length));
    mkdirSync(dir, { recursive: true });
    const entry = path.join(dir, 'entry.js');
    writeFileSync(entry, source);
    await build({
      root: repo,
      logLevel: 'silent',
      configFile: false,
      build: {
        outDir: path.join(dir, 'out'),
        emptyOutDir: true,
        target: 'es2020',
        minify: true,
        reportCompressedSize: false,
        // An app build (lib mode would keep the ES output's whitespace); the entry keeps its exports.
        rolldownOptions: { input: entry, preserveEntrySignatures: 'exports-only' },
      },
    });
    const out = path.join(dir, 'out');
    const files = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((item) =>
        item.isDirectory() ? files(path.join(folder, item.name)) : [path.join(folder, item.name)],
      );
    const bytes = Buffer.concat(
      files(out)
        .filter((file) => file.endsWith('.js'))
        .map((file) => readFileSync(file)),
    );
    rows.push({
      name,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const lines = [
  `# Chart.js ${version} in the console bundle`,
  '',
  `Measured ${new Date().toISOString()} on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), Node ${process.version}; command \`npx tsx bench/chart-size.ts\`.`,
  'Vite production build (minified, tree-shaken), one ES module per row; gzip level 9, Brotli quality 11.',
  '',
  '| Chart.js as bundled | raw KB | gzip KB | brotli KB |',
  '|---|---:|---:|---:|',
  ...rows.map((row) => `| ${row.name} | ${kb(row.raw)} | ${kb(row.gzip)} | ${kb(row.brotli)} |`),
  '',
  'ECharts is not installed in this repository, so it is not measured here.',
  '',
];
mkdirSync(path.join(repo, 'bench/results'), { recursive: true });
writeFileSync(path.join(repo, 'bench/results/chart-size.md'), lines.join('\n'));
console.log(lines.join('\n'));
