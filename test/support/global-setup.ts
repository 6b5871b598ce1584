import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cleanUpAfterRun, computeTemplateKey, testRunId } from './test-template.js';

/** The demo packs a kefu process started by a test loads: the two the tests talk to. */
const PROCESS_DEMO_PACKS = ['shop-zh', 'bank-zh'];

/**
 * A packs folder with copies of PROCESS_DEMO_PACKS, for the kefu processes and CLI commands tests
 * spawn (they inherit KEFU_DEMO_PACKS): each of them imports and trains its demo tenants on a fresh
 * data folder, and the travel tenant, which no spawned process talks to, would only cost time.
 * Tests in the worker (createTestKefu) pass their own environment and load every demo pack.
 */
function processDemoPacks(): string {
  const root = path.resolve('node_modules', '.cache', 'kefu-test-packs', String(process.pid));
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const pack of PROCESS_DEMO_PACKS) {
    const source = path.resolve('examples', 'packs', pack);
    if (existsSync(source)) cpSync(source, path.join(root, pack), { recursive: true });
  }
  return root;
}

/**
 * Once per vitest run, before any worker starts: fixes the template key (test/support/test-template.ts)
 * and the run id for every worker; afterwards removes what a crashed worker left and old templates.
 */
export default function setup(): () => Promise<void> {
  process.env.KEFU_TEST_TEMPLATE_KEY ||= computeTemplateKey();
  const run = testRunId();
  const packs = process.env.KEFU_DEMO_PACKS ? null : processDemoPacks();
  if (packs) process.env.KEFU_DEMO_PACKS = packs;
  return async () => {
    await cleanUpAfterRun(process.env.DATABASE_URL, run).catch(() => undefined);
    if (packs) rmSync(packs, { recursive: true, force: true });
  };
}
