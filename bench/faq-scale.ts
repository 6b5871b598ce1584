/**
 * One large tenant (issue 13): how the day-one FAQ matcher's training time, memory and classify
 * latency grow with the size of the sheet, and whether its top-1 accuracy holds.
 *
 * The sheets are made from real Chinese customer-service questions: the paraphrase pairs of ATEC
 * (train_pairs.jsonl, Alipay/Huabei) and BQ (dev_pairs.jsonl, WeBank), joined into groups of
 * questions that mean the same (connected components of the positive pairs). A group is one FAQ
 * entry: its first question is 问题, up to four more are 相似问法. 300 groups of three or more
 * questions are in every sheet with one question held out as the test query; the rest of the
 * sheet is other groups, then single questions (an entry with no 相似问法) once the groups run
 * out. The sheets are nested (the 500-entry sheet is inside the 2,000 one), so the accuracy curve
 * shows what the added entries cost. 100 smart-speaker commands (CAIS dev) are the out-of-scope
 * queries. The datasets carry no answers: every entry's 答案 is empty (a real sheet's answers add
 * to the vocabulary; see the results file).
 *
 * Every size runs in its own child process (`node --expose-gc --import tsx`), so RSS is clean:
 *   - mode `matcher`: trainFewShotMatcher on the sheet, as loadTenantRuntime calls it;
 *   - mode `runtime`: the sheet imported into an in-memory PGlite (importPack) and the tenant's
 *     whole runtime loaded (loadTenantRuntime: FAQ matcher, lexical fallback, retrieval index),
 *     which is what `kefu eval faq` times as "train".
 * It reports train time, peak RSS during training (VmHWM, reset just before), RSS and heap after,
 * classify p50/p99 (understand() on normalised text) over the held-out and out-of-scope queries,
 * top-1 accuracy on the held-out questions and the share of out-of-scope queries declined.
 * A child over --rss-limit-mb or --time-limit-s is stopped and reported as such.
 *
 *   npm run bench:faq-scale [-- --sizes 500,2000,10000 --modes matcher,runtime --label before]
 *                           [--compare bench/results/faq-scale-before.json] [--profile 10000 --profile-mode matcher]
 *                           [--matcher-module src/fewshot/old-copy.ts --matcher-name old] [--no-write]
 *
 * Writes bench/results/faq-scale[-label].{md,json}; --profile N adds a CPU profile of the
 * matcher at N entries (top frames by self time) to the results.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { datasetPath } from '../src/datasets/dataset-path.js';
import { Random } from '../src/nlu/random.js';
import { normalizeText } from '../src/text/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const thisFile = fileURLToPath(import.meta.url);

interface SheetEntry {
  id: string;
  question: string;
  alternatives: string[];
}
interface Query {
  text: string;
  expected: string | null;
}
interface Job {
  mode: 'matcher' | 'runtime';
  entries: SheetEntry[];
  queries: Query[];
  matcherModule: string | null;
}
interface ChildResult {
  mode: string;
  entries: number;
  phrasings: number;
  train_ms: number;
  /** CPU time of the training (user + system, all threads of the process): steadier than wall time on a loaded machine. */
  train_cpu_ms: number;
  /** Peak RSS while training (VmHWM reset just before), MB. */
  train_peak_rss_mb: number;
  rss_before_mb: number;
  rss_after_mb: number;
  heap_before_mb: number;
  /** Heap still used after training and a full GC: what the tenant keeps. */
  heap_after_gc_mb: number;
  external_after_gc_mb: number;
  array_buffers_after_gc_mb: number;
  classify_p50_ms: number;
  classify_p99_ms: number;
  classify_mean_ms: number;
  /** CPU time per query over the timed pass (mean). */
  classify_cpu_mean_ms: number;
  queries: number;
  top1_accuracy: number;
  in_scope_answered: number;
  oos_declined: number;
  model?: string;
  /** The first guess for each held-out query, in order (for paired comparisons between runs). */
  guesses?: Array<string | null>;
  import_ms?: number;
  leave_one_out?: number | null;
}
interface Run {
  size: number;
  mode: string;
  matcher: string;
  ok: boolean;
  wall_ms: number;
  /** Highest RSS the parent saw (sampled every 50 ms), MB. */
  sampled_max_rss_mb: number;
  result?: ChildResult;
  failure?: string;
}

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

// ---------------------------------------------------------------------------------------------
// The sheets, from ATEC + BQ paraphrase pairs.

function readPairs(file: string): Array<{ sentence1: string; sentence2: string; label: number }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { sentence1: string; sentence2: string; label: number });
}

export function buildSheets(
  sizes: readonly number[],
  seed = 13,
): {
  sheets: Map<number, { entries: SheetEntry[]; queries: Query[] }>;
  description: Record<string, unknown>;
} {
  const pairs = [
    ...readPairs(datasetPath('atec', 'train_pairs.jsonl')),
    ...readPairs(datasetPath('bq_corpus', 'dev_pairs.jsonl')),
  ];
  // Union-find over the positive pairs: a group is questions that mean the same.
  const parent = new Map<string, string>();
  const find = (text: string): string => {
    let node = text;
    while (parent.get(node) !== node) {
      const up = parent.get(parent.get(node)!)!;
      parent.set(node, up);
      node = up;
    }
    return node;
  };
  const add = (text: string) => {
    if (!parent.has(text)) parent.set(text, text);
  };
  for (const pair of pairs) {
    add(pair.sentence1);
    add(pair.sentence2);
    if (pair.label === 1) {
      const a = find(pair.sentence1);
      const b = find(pair.sentence2);
      if (a !== b) parent.set(a, b);
    }
  }
  const groups = new Map<string, string[]>();
  const seenNormalized = new Set<string>();
  for (const text of parent.keys()) {
    // One phrasing per normalised text across the whole pool (no entry repeats another's wording).
    const key = normalizeText(text).text.replace(/[\s\p{P}]/gu, '');
    if (key.length < 2 || seenNormalized.has(key)) continue;
    seenNormalized.add(key);
    const group = find(text);
    groups.set(group, [...(groups.get(group) ?? []), text]);
  }
  const random = new Random(seed);
  const all = [...groups.values()];
  random.shuffle(all);
  for (const members of all) random.shuffle(members);
  const tests = all.filter((members) => members.length >= 3).slice(0, 300);
  const testSet = new Set(tests);
  const multi = all.filter((members) => members.length >= 2 && !testSet.has(members));
  const single = all.filter((members) => members.length === 1);
  const order = [...tests, ...multi, ...single];
  const largest = Math.max(...sizes);
  if (order.length < largest) throw new Error(`the datasets give ${order.length} entries, fewer than ${largest}`);
  const entries: SheetEntry[] = [];
  const queries: Query[] = [];
  order.slice(0, largest).forEach((members, index) => {
    const id = `faq-${String(index + 1).padStart(5, '0')}`;
    const kept = testSet.has(members) ? members.slice(0, -1) : members;
    if (testSet.has(members)) queries.push({ text: members[members.length - 1]!, expected: id });
    entries.push({ id, question: kept[0]!, alternatives: kept.slice(1, 5) });
  });
  const cais = readFileSync(datasetPath('cais', 'dev.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);
  random.shuffle(cais);
  const oos = cais.slice(0, 100).map((text) => ({ text, expected: null }));
  const sheets = new Map<number, { entries: SheetEntry[]; queries: Query[] }>();
  for (const size of sizes) {
    const sheet = entries.slice(0, size);
    sheets.set(size, { entries: sheet, queries: [...queries, ...oos] });
  }
  const phrasingCount = (sheet: SheetEntry[]) => sheet.reduce((sum, entry) => sum + 1 + entry.alternatives.length, 0);
  return {
    sheets,
    description: {
      pool: { sentences: parent.size, groups: all.length, groups_3plus: all.filter((m) => m.length >= 3).length },
      held_out_queries: queries.length,
      oos_queries: oos.length,
      phrasings: Object.fromEntries(sizes.map((size) => [size, phrasingCount(entries.slice(0, size))])),
      single_question_entries: Object.fromEntries(
        sizes.map((size) => [size, entries.slice(0, size).filter((entry) => entry.alternatives.length === 0).length]),
      ),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The child: trains one sheet and measures it.

const status = (field: string): number => {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
};
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function child(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as Job;
  const fewshot = (await import(
    job.matcherModule ? pathToFileURL(path.resolve(root, job.matcherModule)).href : '../src/fewshot/index.js'
  )) as typeof import('../src/fewshot/index.js');
  const phrasings = job.entries.reduce((sum, entry) => sum + 1 + entry.alternatives.length, 0);
  // Warm what a running node already has loaded: jieba, OpenCC, pinyin, the background sentences.
  fewshot.trainFewShotMatcher([
    { label: 'a', phrasings: ['怎么退款', '退款要多久'] },
    { label: 'b', phrasings: ['怎么开发票', '发票在哪里开'] },
  ]);
  let understand: (normalized: string) => { intent: string | null; outOfScope: boolean };
  let train: () => Promise<unknown>;
  let extra: Partial<ChildResult> = {};
  let close: () => Promise<void>;
  if (job.mode === 'matcher') {
    let matcher: ReturnType<typeof fewshot.trainFewShotMatcher> | undefined;
    train = async () => {
      matcher = fewshot.trainFewShotMatcher(
        job.entries.map((entry) => ({
          label: entry.id,
          phrasings: [entry.question, ...entry.alternatives],
          answer: '',
          category: null,
        })),
      );
      return matcher;
    };
    understand = (normalized) => matcher!.matchNormalized(normalized);
    extra = { model: 'fewshot' };
    const after = () => ({ leave_one_out: matcher?.summary.leaveOneOutAccuracy ?? null });
    close = async () => {
      extra = { ...extra, ...after() };
    };
  } else {
    const { openDatabase, migrateToLatest } = await import('../src/store/database.js');
    const { importPack } = await import('../src/packs/index.js');
    const { loadTenantRuntime } = await import('../src/engine/tenant-runtime.js');
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    await migrateToLatest(database.db);
    const importStarted = performance.now();
    const pack = {
      tenant: {
        slug: 'faq-scale',
        name: 'faq scale',
        locale: 'zh-CN',
        domain: 'general',
        timezone: 'Asia/Shanghai',
        messages: {},
        channels: [],
      },
      intents: [],
      faq: job.entries.map((entry, index) => ({
        id: entry.id,
        question: entry.question,
        answer: '',
        alternatives: entry.alternatives,
        category: null,
        sensitive: false,
        row: index + 2,
      })),
      documents: [],
      playbooks: [],
      tables: [],
      dictionary: [],
      style: null,
    } as unknown as import('../src/packs/index.js').TenantPack;
    const { tenantId } = await importPack(database.db, pack, { actor: 'bench' });
    extra = { import_ms: Math.round(performance.now() - importStarted) };
    let runtime: Awaited<ReturnType<typeof loadTenantRuntime>> | undefined;
    train = async () => (runtime = await loadTenantRuntime(database.db, tenantId));
    understand = (normalized) => runtime!.understander.understand(normalized);
    close = async () => {
      extra = { ...extra, model: runtime?.model.kind };
      await database.close();
    };
  }
  gc();
  gc();
  const before = process.memoryUsage();
  // Reset the kernel's peak-RSS mark (VmHWM) so it measures the training alone.
  writeFileSync('/proc/self/clear_refs', '5');
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await train();
  const trainMs = performance.now() - started;
  const trainCpu = process.cpuUsage(cpuStarted);
  const peak = status('VmHWM');
  const rssAfter = process.memoryUsage().rss;
  gc();
  gc();
  const after = process.memoryUsage();

  const normalized = job.queries.map((query) => ({ ...query, normalized: normalizeText(query.text).text }));
  // One warm-up pass (JIT), then the timed pass.
  for (const query of normalized.slice(0, 20)) understand(query.normalized);
  const times: number[] = [];
  const classifyCpuStarted = process.cpuUsage();
  let right = 0;
  let answered = 0;
  let inScope = 0;
  let declined = 0;
  let outOfScope = 0;
  const guesses: Array<string | null> = [];
  for (const query of normalized) {
    const queryStarted = performance.now();
    const prediction = understand(query.normalized);
    times.push(performance.now() - queryStarted);
    if (query.expected === null) {
      outOfScope += 1;
      if (prediction.outOfScope) declined += 1;
    } else {
      inScope += 1;
      guesses.push(prediction.intent);
      if (prediction.intent === query.expected) {
        right += 1;
        if (!prediction.outOfScope) answered += 1;
      }
    }
  }
  const classifyCpu = process.cpuUsage(classifyCpuStarted);
  await close();
  times.sort((a, b) => a - b);
  const at = (fraction: number) => times[Math.min(times.length - 1, Math.floor(fraction * times.length))]!;
  const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
  const result: ChildResult = {
    mode: job.mode,
    entries: job.entries.length,
    phrasings,
    train_ms: Math.round(trainMs),
    train_cpu_ms: Math.round((trainCpu.user + trainCpu.system) / 1000),
    train_peak_rss_mb: mb(peak),
    rss_before_mb: mb(before.rss),
    rss_after_mb: mb(rssAfter),
    heap_before_mb: mb(before.heapUsed),
    heap_after_gc_mb: mb(after.heapUsed),
    external_after_gc_mb: mb(after.external),
    array_buffers_after_gc_mb: mb(after.arrayBuffers),
    classify_p50_ms: round(at(0.5)),
    classify_p99_ms: round(at(0.99)),
    classify_mean_ms: round(times.reduce((sum, value) => sum + value, 0) / times.length),
    classify_cpu_mean_ms: round((classifyCpu.user + classifyCpu.system) / 1000 / times.length),
    queries: times.length,
    top1_accuracy: round(right / Math.max(1, inScope), 4),
    in_scope_answered: round(answered / Math.max(1, inScope), 4),
    oos_declined: round(declined / Math.max(1, outOfScope), 4),
    ...extra,
    guesses,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  // When profiling: the source maps of the loaded TypeScript files (tsx compiles each to one line),
  // so the parent can name each profile frame's line.
  if (process.env.FAQ_SCALE_SOURCE_MAPS) {
    const { findSourceMap } = await import('node:module');
    const maps: Record<string, unknown> = {};
    const walk = (directory: string) => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const file = path.join(directory, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts')) {
          const map = findSourceMap(pathToFileURL(file).href);
          if (map) maps[pathToFileURL(file).href] = map.payload;
        }
      }
    };
    walk(path.join(root, 'src'));
    walk(path.join(root, 'bench'));
    if (job.matcherModule) walk(path.dirname(path.resolve(root, job.matcherModule)));
    writeFileSync(process.env.FAQ_SCALE_SOURCE_MAPS, JSON.stringify(maps));
  }
}

// ---------------------------------------------------------------------------------------------
// The parent: one child per size and mode, watched for RSS and time.

function runChild(
  job: Job,
  options: { rssLimitMb: number; timeLimitS: number; profileDir?: string },
): Promise<Omit<Run, 'size' | 'matcher'>> {
  const directory = mkdtempSync(path.join(tmpdir(), 'faq-scale-'));
  const jobFile = path.join(directory, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  const flags = ['--expose-gc', '--import', 'tsx'];
  if (options.profileDir)
    flags.push('--enable-source-maps', '--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, '--cpu-prof-interval=500');
  const started = performance.now();
  return new Promise((resolve) => {
    const process_ = spawn(process.execPath, [...flags, thisFile, '--child', jobFile], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.profileDir
        ? { ...process.env, FAQ_SCALE_SOURCE_MAPS: path.join(options.profileDir, 'source-maps.json') }
        : process.env,
    });
    let output = '';
    let errors = '';
    let maxRss = 0;
    let failure: string | undefined;
    process_.stdout.on('data', (chunk) => (output += chunk));
    process_.stderr.on('data', (chunk) => (errors += chunk));
    const watch = setInterval(() => {
      try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${process_.pid}/status`, 'utf8'));
        const rss = match ? Number(match[1]) * 1024 : 0;
        maxRss = Math.max(maxRss, rss);
        if (rss > options.rssLimitMb * 1048576 && !failure) {
          failure = `stopped: RSS ${mb(rss)} MB passed the ${options.rssLimitMb} MB limit after ${Math.round((performance.now() - started) / 1000)} s`;
          process_.kill('SIGKILL');
        }
      } catch {
        // gone
      }
      if (performance.now() - started > options.timeLimitS * 1000 && !failure) {
        failure = `stopped: still running after ${options.timeLimitS} s (RSS then ${mb(maxRss)} MB)`;
        process_.kill('SIGKILL');
      }
    }, 50);
    process_.on('exit', (code, signal) => {
      clearInterval(watch);
      rmSync(directory, { recursive: true, force: true });
      const line = output.split('\n').find((text) => text.startsWith('RESULT '));
      const wallMs = Math.round(performance.now() - started);
      if (line && !failure) {
        resolve({
          mode: job.mode,
          ok: true,
          wall_ms: wallMs,
          sampled_max_rss_mb: mb(maxRss),
          result: JSON.parse(line.slice(7)) as ChildResult,
        });
      } else {
        resolve({
          mode: job.mode,
          ok: false,
          wall_ms: wallMs,
          sampled_max_rss_mb: mb(maxRss),
          failure: failure ?? `exit ${code ?? signal}: ${errors.split('\n').slice(-8).join(' | ')}`,
        });
      }
    });
  });
}

interface ProfileFrame {
  function: string;
  location: string;
  self_ms: number;
  self_share: number;
}

/** Self time per function of a .cpuprofile, largest first; lines through the child's source maps. */
function topFrames(file: string, mapsFile: string | null, limit = 15): { total_ms: number; frames: ProfileFrame[] } {
  const maps = new Map<string, SourceMap>();
  if (mapsFile && existsSync(mapsFile))
    for (const [url, payload] of Object.entries(
      JSON.parse(readFileSync(mapsFile, 'utf8')) as Record<string, SourceMapPayload>,
    ))
      maps.set(url, new SourceMap(payload));
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Array<{
      id: number;
      callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    }>;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, { function: string; location: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    total += delta;
    const frame = byId.get(id)!.callFrame;
    const entry = maps.get(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber) as
      { originalLine?: number } | undefined;
    const line = entry?.originalLine === undefined ? frame.lineNumber + 1 : entry.originalLine + 1;
    const location = `${frame.url.replace(/^file:\/\//, '').replace(root + '/', '')}:${line}`;
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${location}`;
    const total_ = self.get(key) ?? { function: name, location, us: 0 };
    total_.us += delta;
    self.set(key, total_);
  });
  const frames = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((entry) => ({
      function: entry.function,
      location: entry.location,
      self_ms: Math.round(entry.us / 1000),
      self_share: Math.round((entry.us / total) * 1000) / 1000,
    }));
  return { total_ms: Math.round(total / 1000), frames };
}

function table(runs: readonly Run[]): string {
  const header =
    '| entries | phrasings | mode | matcher | train s (CPU s) | peak RSS MB (training) | RSS before → after MB | heap after GC MB | classify p50 / p99 ms (CPU mean) | top-1 | answered right | OOS declined |\n' +
    '|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n';
  return (
    header +
    runs
      .map((run) => {
        const r = run.result;
        if (!r)
          return `| ${run.size} | | ${run.mode} | ${run.matcher} | — | ≥ ${run.sampled_max_rss_mb} (sampled) | | | | | | ${run.failure} |`;
        return `| ${r.entries} | ${r.phrasings} | ${run.mode} | ${run.matcher} | ${(r.train_ms / 1000).toFixed(2)}${r.train_cpu_ms === undefined ? '' : ` (${(r.train_cpu_ms / 1000).toFixed(2)})`} | ${r.train_peak_rss_mb} | ${r.rss_before_mb} → ${r.rss_after_mb} | ${r.heap_after_gc_mb} | ${r.classify_p50_ms} / ${r.classify_p99_ms}${r.classify_cpu_mean_ms === undefined ? '' : ` (${r.classify_cpu_mean_ms})`} | ${(r.top1_accuracy * 100).toFixed(1)}% | ${(r.in_scope_answered * 100).toFixed(1)}% | ${(r.oos_declined * 100).toFixed(0)}% |`;
      })
      .join('\n') +
    '\n'
  );
}

async function main(): Promise<void> {
  const sizes = (argument('sizes') ?? '500,2000,10000').split(',').map(Number);
  const modes = (argument('modes') ?? 'matcher,runtime').split(',') as Array<Job['mode']>;
  const label = (argument('label') ?? '').replace(/[^a-z0-9-]/gi, '');
  const rssLimitMb = Number(argument('rss-limit-mb') ?? 6000);
  const timeLimitS = Number(argument('time-limit-s') ?? 300);
  const profileSize = argument('profile') ? Number(argument('profile')) : null;
  const profileMode = (argument('profile-mode') ?? 'matcher') as Job['mode'];
  const matcherModule = argument('matcher-module') ?? null;
  const matcherName = argument('matcher-name') ?? (matcherModule ? path.basename(matcherModule) : 'current');
  const compare = argument('compare');
  const write = !process.argv.includes('--no-write');

  const { sheets, description } = buildSheets(profileSize ? [...sizes, profileSize] : sizes);
  const loadStart = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  const runs: Run[] = [];
  for (const size of sizes) {
    for (const mode of modes) {
      if (mode === 'runtime' && matcherModule) continue;
      const sheet = sheets.get(size)!;
      const load = loadavg()[0]!.toFixed(2);
      const run = await runChild(
        { mode, entries: sheet.entries, queries: sheet.queries, matcherModule },
        { rssLimitMb, timeLimitS },
      );
      runs.push({ size, matcher: matcherName, ...run });
      const r = run.result;
      console.log(
        r
          ? `${size} ${mode} ${matcherName}: train ${r.train_ms} ms (CPU ${r.train_cpu_ms} ms), peak RSS ${r.train_peak_rss_mb} MB (before ${r.rss_before_mb}), heap after ${r.heap_after_gc_mb} MB, classify p50 ${r.classify_p50_ms} ms p99 ${r.classify_p99_ms} ms, top-1 ${r.top1_accuracy}, answered ${r.in_scope_answered}, oos declined ${r.oos_declined} (load ${load})`
          : `${size} ${mode} ${matcherName}: ${run.failure} (load ${load})`,
      );
    }
  }
  let profile: (ReturnType<typeof topFrames> & { size: number; mode: string; file: string }) | null = null;
  if (profileSize) {
    const directory = mkdtempSync(path.join(tmpdir(), 'faq-scale-profile-'));
    const sheet = sheets.get(profileSize)!;
    const run = await runChild(
      { mode: profileMode, entries: sheet.entries, queries: sheet.queries, matcherModule },
      { rssLimitMb, timeLimitS, profileDir: directory },
    );
    const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
    if (run.ok && file) {
      profile = {
        size: profileSize,
        mode: profileMode,
        file,
        ...topFrames(path.join(directory, file), path.join(directory, 'source-maps.json')),
      };
      console.log(`profile at ${profileSize}: ${profile.total_ms} ms sampled`);
      for (const frame of profile.frames)
        console.log(
          `  ${frame.self_ms} ms ${(frame.self_share * 100).toFixed(1)}% ${frame.function} ${frame.location}`,
        );
    } else console.log(`profile at ${profileSize} failed: ${run.failure}`);
    rmSync(directory, { recursive: true, force: true });
  }
  const loadEnd = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memory_gb: Math.round(totalmem() / 1e9),
      node: process.version,
    },
    load_average: { start: loadStart, end: loadEnd },
    data: description,
    options: { sizes, modes, rss_limit_mb: rssLimitMb, time_limit_s: timeLimitS, matcher: matcherName },
    runs,
    profile,
  };
  let markdown =
    `# FAQ sheet scale${label ? ` (${label})` : ''}\n\n` +
    `${report.date}, ${report.machine.cpus} × ${report.machine.cpu}, ${report.machine.memory_gb} GB, Node ${report.machine.node}; ` +
    `load average ${loadStart} at start, ${loadEnd} at end. \`npm run bench:faq-scale -- ${process.argv.slice(2).join(' ')}\`\n\n` +
    table(runs);
  for (const file of compare ? compare.split(',') : []) {
    const previous = JSON.parse(readFileSync(path.resolve(root, file), 'utf8')) as typeof report;
    markdown +=
      `\n## Compared with ${file} (${previous.date}, load ${previous.load_average.start} → ${previous.load_average.end})\n\n` +
      table(previous.runs);
    // Paired: the same held-out queries, right in one run and wrong in the other.
    const expected = sheets.get(Math.min(...sizes))!.queries.filter((query) => query.expected !== null);
    const lines: string[] = [];
    for (const run of runs) {
      const other = previous.runs.find(
        (candidate) => candidate.size === run.size && candidate.mode === run.mode && candidate.result?.guesses,
      );
      if (!run.result?.guesses || !other?.result?.guesses) continue;
      let gained = 0;
      let lost = 0;
      expected.forEach((query, index) => {
        const now = run.result!.guesses![index] === query.expected;
        const then = other.result!.guesses![index] === query.expected;
        if (now && !then) gained += 1;
        if (then && !now) lost += 1;
      });
      lines.push(
        `| ${run.size} | ${run.mode} | ${run.matcher} vs ${other.matcher} | ${gained} | ${lost} | ${expected.length} |`,
      );
    }
    if (lines.length > 0)
      markdown +=
        '\nTop-1 on the same held-out queries, paired (right now and wrong then, and the reverse):\n\n' +
        '| entries | mode | runs | gained | lost | queries |\n|---:|---|---|---:|---:|---:|\n' +
        lines.join('\n') +
        '\n';
  }
  if (profile) {
    markdown +=
      `\n## CPU profile, ${profile.mode} mode at ${profile.size} entries (${profile.total_ms} ms sampled, self time, the whole child: warm-up, training and the queries)\n\n` +
      '| self ms | share | function | where |\n|---:|---:|---|---|\n' +
      profile.frames
        .map(
          (frame) =>
            `| ${frame.self_ms} | ${(frame.self_share * 100).toFixed(1)}% | ${frame.function} | ${frame.location} |`,
        )
        .join('\n') +
      '\n';
  }
  if (write) {
    const name = `faq-scale${label ? `-${label}` : ''}`;
    writeFileSync(path.join(root, 'bench', 'results', `${name}.json`), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(path.join(root, 'bench', 'results', `${name}.md`), markdown);
    console.log(`wrote bench/results/${name}.{md,json}`);
  } else console.log(markdown);
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  if (process.argv.includes('--child')) await child(process.argv[process.argv.indexOf('--child') + 1]!);
  else await main();
}
