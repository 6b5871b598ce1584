import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { buildWeb, webBuildIsStale } from '../../web/build.js';

/** Debian's chromium; `.ci/run` installs it with apt-get. */
export const CHROMIUM = process.env.KEFU_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser suites run: outside CI they skip when chromium is missing; in CI
 * (CI=true) a missing chromium is a failure, never a silent skip.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(
      `chromium not found at ${CHROMIUM}: CI must install it (.ci/run does: apt-get install -y chromium)`,
    );
  return false;
}

/**
 * Headless chromium. Playwright's launch() gives every run a fresh temporary profile (its
 * equivalent of a new --user-data-dir); each test makes its own contexts (customer, agent).
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Builds web/dist when it is missing or older than its sources, so the test sees this code. */
export async function ensureWebBuilt(): Promise<void> {
  if (webBuildIsStale()) {
    const built = await buildWeb();
    if (!built) throw new Error('the web front ends could not be built (vite missing)');
  }
}
