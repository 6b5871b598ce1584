/**
 * Many small tenants on one node (issue 13): starts one `kefu serve` on 127.0.0.1 with PGlite in a
 * temporary directory, creates N FAQ-only tenants through the operator API (a tenant with a
 * `chat` + `kb:write` key, then its FAQ sheet uploaded with `POST /v1/knowledge/files`), sends one
 * customer message to each (its runtime is loaded cold), then a round of messages to tenants
 * picked at random. Reports the server's RSS over time (from /proc), creation rate, cold and warm
 * latency (p50/p99), errors and the load average. Steps run one after another on the same server
 * (200, then up to 1,000, …), so each step adds tenants to the ones already there.
 *
 *   npm run bench:tenants-scale -- --steps 200,1000 --budget-mb 512 [--label name]
 *   npm run bench:tenants-scale -- --steps 200 --budget-mb 0 --label budget-off   (no eviction)
 *
 * Options: --entries (FAQ entries per tenant, 12), --concurrency (requests in flight, 4),
 * --warm (warm messages per step, 1000), --shared-buffers-mb (PGlite, default: kefu's).
 * Results: bench/results/tenants-scale[-label].{md,json}.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? String(process.argv[index + 1]) : fallback;
};
const steps = option('steps', '200,1000')
  .split(',')
  .map((value) => Number(value.replace(/_/g, '')));
const budgetMb = Number(option('budget-mb', '512'));
const entries = Number(option('entries', '12'));
const concurrency = Number(option('concurrency', '4'));
const warmPerStep = Number(option('warm', '1000'));
const sharedBuffersMb = option('shared-buffers-mb', '');
const label = option('label', '').replace(/[^a-z0-9-]/gi, '');
const operatorKey = `kefu_op_bench${'x'.repeat(30)}`;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-scale-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
/** Starts `kefu serve` on the bench's data directory. */
function launch() {
  const server = spawn(process.execPath, ['bin/kefu.js', 'serve'], {
    env: {
      ...process.env,
      KEFU_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      KEFU_DEMO: 'false',
      KEFU_OPERATOR_KEY: operatorKey,
      KEFU_METRICS: 'public',
      KEFU_TENANT_RUNTIME_BUDGET_MB: String(budgetMb),
      ...(sharedBuffersMb ? { KEFU_PGLITE_SHARED_BUFFERS_MB: sharedBuffersMb } : {}),
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (chunk) => (serverOutput = (serverOutput + String(chunk)).slice(-20_000)));
  server.stderr.on('data', (chunk) => (serverOutput = (serverOutput + String(chunk)).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
  return { server, exited };
}
let serverOutput = '';

async function stop(running: ReturnType<typeof launch>): Promise<void> {
  running.server.kill('SIGTERM');
  await Promise.race([running.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (running.server.exitCode === null && running.server.signalCode === null) running.server.kill('SIGKILL');
}

// The first start creates the database (initdb) and is stopped: a node in service starts on an
// existing one, and initdb's own memory would otherwise sit in the idle figure until a GC.
let running = launch();
let child = running.server;
await waitReady();
await stop(running);
running = launch();
child = running.server;

async function waitReady(): Promise<void> {
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`kefu exited ${child.exitCode}:\n${serverOutput}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`kefu did not become ready:\n${serverOutput}`);
}

/** The server's resident memory and its high-water mark, in MB, from /proc. */
function processMemory(): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rssMb: Math.round(field('VmRSS')), hwmMb: Math.round(field('VmHWM')) };
}

/** Heap and external memory as the server reports them (prom-client's default metrics). */
async function runtimeMemory(): Promise<{ heapUsedMb: number; externalMb: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapUsedMb: Math.round(metric('kefu_nodejs_heap_size_used_bytes') / 1048576),
    externalMb: Math.round(metric('kefu_nodejs_external_memory_bytes') / 1048576),
  };
}

const samples: Array<{ seconds: number; phase: string; rssMb: number }> = [];
const started = performance.now();
let phase = 'start';
const sampler = setInterval(() => {
  if (child.exitCode !== null) return;
  samples.push({ seconds: Math.round((performance.now() - started) / 100) / 10, phase, ...processMemory() });
}, 1000);

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (value: number) => Math.round(value * 10) / 10;

/** Runs `work` over `items` with `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function call(
  method: string,
  url: string,
  key: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: response.status, json: { text } };
  }
}

// The FAQ sheet of a small shop: a slice of the demo shop's sheet, rotated and renamed per tenant
// so no two tenants hold the same text.
const sheet = readFileSync('examples/packs/shop-zh/faq.csv', 'utf8').trim().split('\n');
const [header, ...rows] = sheet as [string, ...string[]];
function faqOf(index: number): string {
  const lines = Array.from({ length: entries }, (_, entry) => {
    const row = rows[(index + entry) % rows.length]!;
    return row.replace(/^faq-\d+/, `q${entry + 1}`).replace(/小满优品/g, `第${index}号小店`);
  });
  return `${[header, ...lines].join('\n')}\n`;
}

interface Tenant {
  slug: string;
  key: string;
  conversation?: string;
  question: string;
}
const tenants: Tenant[] = [];
const errors: Record<string, number> = {};
const fail = (where: string, status: number) => {
  const key = `${where} ${status}`;
  errors[key] = (errors[key] ?? 0) + 1;
};

const createMs: number[] = [];
const uploadMs: number[] = [];
async function createTenant(index: number): Promise<void> {
  const slug = `shop-${String(index).padStart(5, '0')}`;
  let start = performance.now();
  const created = await call('POST', '/operator/v1/tenants', operatorKey, {
    slug,
    name: `第${index}号小店`,
    locale: 'zh-CN',
    domain: 'ecommerce',
    key: { name: 'owner', scopes: ['chat', 'kb:write'] },
  });
  if (created.status !== 201) return fail('create tenant', created.status);
  createMs.push(performance.now() - start);
  const key = (created.json.apiKey as { key: string }).key;
  start = performance.now();
  const uploaded = await call('POST', '/v1/knowledge/files?name=faq.csv', key, faqOf(index), 'text/csv');
  if (uploaded.status !== 201) return fail('upload faq', uploaded.status);
  uploadMs.push(performance.now() - start);
  // The question of its first entry, as a customer would ask it.
  const firstRow = rows[index % rows.length]!;
  tenants.push({ slug, key, question: firstRow.split(',')[1]! });
}

/** One customer message; its latency in ms, or null on an error. */
async function ask(tenant: Tenant, where: string): Promise<number | null> {
  if (!tenant.conversation) {
    const conversation = await call('POST', '/v1/conversations', tenant.key, {});
    if (conversation.status !== 201) {
      fail(`${where}: conversation`, conversation.status);
      return null;
    }
    tenant.conversation = conversation.json.id as string;
  }
  const start = performance.now();
  const answered = await call('POST', `/v1/conversations/${tenant.conversation}/messages`, tenant.key, {
    text: tenant.question,
  });
  const elapsed = performance.now() - start;
  if (answered.status !== 201) {
    fail(`${where}: message`, answered.status);
    return null;
  }
  return elapsed;
}

interface StepResult {
  tenants: number;
  created: number;
  createSeconds: number;
  createPerSecond: number;
  /** Latency of the two creation requests: the operator's POST /tenants and the FAQ upload. */
  createLatency: { tenant: ReturnType<typeof summary>; upload: ReturnType<typeof summary> };
  cold: { count: number; p50: number; p99: number; max: number };
  warm: { count: number; p50: number; p99: number; max: number };
  rssMb: { afterCreate: number; afterCold: number; afterWarm: number; peak: number };
  heapUsedMb: number;
  externalMb: number;
  loadAverage: number[];
}

const summary = (values: number[]) => ({
  count: values.length,
  p50: round(percentile(values, 50)),
  p99: round(percentile(values, 99)),
  max: round(Math.max(...values)),
});

const results: StepResult[] = [];
let idle: { rssMb: number; heapUsedMb: number; externalMb: number } | undefined;
try {
  await waitReady();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  idle = { ...processMemory(), ...(await runtimeMemory()) };
  console.log(`idle: ${JSON.stringify(idle)}; load ${loadavg().map(round).join(' ')}`);
  for (const target of steps) {
    const from = tenants.length;
    phase = `create ${target}`;
    const createStart = performance.now();
    await pool(
      Array.from({ length: target - from }, (_, offset) => from + offset),
      concurrency,
      createTenant,
    );
    const createSeconds = (performance.now() - createStart) / 1000;
    const createLatency = { tenant: summary(createMs.splice(0)), upload: summary(uploadMs.splice(0)) };
    const afterCreate = processMemory().rssMb;
    console.log(
      `${target}: ${tenants.length - from} created in ${round(createSeconds)} s (${round((tenants.length - from) / createSeconds)}/s; POST /tenants p50 ${createLatency.tenant.p50} ms, upload p50 ${createLatency.upload.p50} ms), RSS ${afterCreate} MB`,
    );
    phase = `cold ${target}`;
    const cold: number[] = [];
    await pool(tenants.slice(from), concurrency, async (tenant) => {
      const ms = await ask(tenant, 'cold');
      if (ms !== null) cold.push(ms);
    });
    const afterCold = processMemory().rssMb;
    console.log(
      `${target}: cold p50 ${round(percentile(cold, 50))} ms p99 ${round(percentile(cold, 99))} ms, RSS ${afterCold} MB`,
    );
    phase = `warm ${target}`;
    const warm: number[] = [];
    const picks = Array.from({ length: warmPerStep }, () => tenants[Math.floor(Math.random() * tenants.length)]!);
    await pool(picks, concurrency, async (tenant) => {
      // A new customer each time: a conversation already with a person would not reach the bot.
      tenant.conversation = undefined;
      const ms = await ask(tenant, 'warm');
      if (ms !== null) warm.push(ms);
    });
    const memory = await runtimeMemory();
    const afterWarm = processMemory();
    console.log(
      `${target}: warm p50 ${round(percentile(warm, 50))} ms p99 ${round(percentile(warm, 99))} ms, RSS ${afterWarm.rssMb} MB (peak ${afterWarm.hwmMb}), heap ${memory.heapUsedMb} MB, external ${memory.externalMb} MB; load ${loadavg().map(round).join(' ')}`,
    );
    results.push({
      tenants: tenants.length,
      created: tenants.length - from,
      createSeconds: round(createSeconds),
      createPerSecond: round((tenants.length - from) / createSeconds),
      createLatency,
      cold: summary(cold),
      warm: summary(warm),
      rssMb: { afterCreate, afterCold, afterWarm: afterWarm.rssMb, peak: afterWarm.hwmMb },
      ...memory,
      loadAverage: loadavg().map(round),
    });
  }
} finally {
  clearInterval(sampler);
  await stop(running);
  rmSync(dataDir, { recursive: true, force: true });
}

const suffix = label ? `-${label}` : '';
const when = new Date().toISOString();
const json = {
  when,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  options: { steps, budgetMb, entries, concurrency, warmPerStep, sharedBuffersMb: sharedBuffersMb || 'default' },
  idle,
  results,
  errors,
  rssSamples: samples,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/tenants-scale${suffix}.json`, `${JSON.stringify(json, null, 2)}\n`);
const lines = [
  `# Many tenants on one node (PGlite)${label ? `: ${label}` : ''}`,
  '',
  `\`npm run bench:tenants-scale -- ${process.argv.slice(2).join(' ')}\` — ${when}, ${json.machine}.`,
  `Runtime budget ${budgetMb === 0 ? 'off (no limit)' : `${budgetMb} MB`}; ${entries} FAQ entries per tenant; ${concurrency} requests in flight; ${warmPerStep} warm messages per step to tenants picked at random.`,
  `Idle before any tenant: RSS ${idle?.rssMb ?? '?'} MB (heap ${idle?.heapUsedMb ?? '?'} MB, external ${idle?.externalMb ?? '?'} MB).`,
  '',
  '| tenants | created/s | RSS after create | after cold | after warm | peak | heap | external | cold p50 | cold p99 | warm p50 | warm p99 | load avg |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ...results.map(
    (step) =>
      `| ${step.tenants} | ${step.createPerSecond} | ${step.rssMb.afterCreate} MB | ${step.rssMb.afterCold} MB | ${step.rssMb.afterWarm} MB | ${step.rssMb.peak} MB | ${step.heapUsedMb} MB | ${step.externalMb} MB | ${step.cold.p50} ms | ${step.cold.p99} ms | ${step.warm.p50} ms | ${step.warm.p99} ms | ${step.loadAverage.join(' ')} |`,
  ),
  '',
  `Errors: ${Object.keys(errors).length === 0 ? 'none' : JSON.stringify(errors)}.`,
  '',
];
writeFileSync(`bench/results/tenants-scale${suffix}.md`, lines.join('\n'));
console.log(lines.join('\n'));
