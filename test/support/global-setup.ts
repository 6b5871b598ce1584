import { cleanUpAfterRun, computeTemplateKey, testRunId } from './test-template.js';

/**
 * Once per vitest run, before any worker starts: fixes the template key (test/support/test-template.ts)
 * and the run id for every worker; afterwards removes what a crashed worker left and old templates.
 */
export default function setup(): () => Promise<void> {
  process.env.KEFU_TEST_TEMPLATE_KEY ||= computeTemplateKey();
  const run = testRunId();
  return async () => {
    await cleanUpAfterRun(process.env.DATABASE_URL, run).catch(() => undefined);
  };
}
