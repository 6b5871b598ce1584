import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IntentExample, TrainIntentOptions, TrainingProgress } from './types.js';

/**
 * The worker's entry and how to start it. From TypeScript sources (tsx, vitest) the worker is the
 * .ts file with tsx's loader imported into the worker; from compiled output it is the .js file.
 */
function workerEntry(): { url: URL; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(here).resolve('tsx')).href;
    return { url: new URL('./train-worker.ts', here), execArgv: ['--import', tsx] };
  }
  return { url: new URL('./train-worker.js', here), execArgv: [] };
}

/**
 * Trains in a worker_threads Worker, so a large tenant's retrain does not block the event loop,
 * reporting progress; resolves with the artifact (load it with loadIntentClassifier).
 * @example
 * const artifact = await trainIntentClassifierInWorker(examples, { oosLabel: 'oos', onProgress: (p) => log(p) });
 * const classifier = loadIntentClassifier(artifact);
 */
export function trainIntentClassifierInWorker(
  examples: readonly IntentExample[],
  options: Omit<TrainIntentOptions, 'onProgress'> & { onProgress?: (progress: TrainingProgress) => void } = {},
): Promise<Uint8Array> {
  const { onProgress, ...rest } = options;
  const plainExamples = Array.isArray(examples)
    ? examples.map((example) => ({ text: String(example?.text ?? ''), label: String(example?.label ?? '') }))
    : [];
  const plainOptions = {
    oosLabel: rest.oosLabel,
    language: rest.language,
    userDictionary: rest.userDictionary ? [...rest.userDictionary] : undefined,
    seed: rest.seed,
  };
  return new Promise((resolve, reject) => {
    const { url, execArgv } = workerEntry();
    let settled = false;
    const worker = new Worker(url, { workerData: { examples: plainExamples, options: plainOptions }, execArgv });
    worker.on('message', (message: { type: string; stage?: string; fraction?: number; artifact?: Uint8Array; message?: string }) => {
      if (message.type === 'progress') {
        try {
          onProgress?.({ stage: message.stage ?? '', fraction: message.fraction ?? 0 });
        } catch {
          // a failing listener must not abort training
        }
      } else if (message.type === 'done' && message.artifact) {
        settled = true;
        resolve(new Uint8Array(message.artifact));
      } else if (message.type === 'error') {
        settled = true;
        reject(new Error(`intent training failed: ${message.message}`));
      }
    });
    worker.on('error', (error) => {
      if (!settled) {
        settled = true;
        reject(new Error(`intent training worker failed: ${error.message}`));
      }
    });
    worker.on('exit', (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`intent training worker exited with code ${code} before finishing`));
      }
    });
  });
}
