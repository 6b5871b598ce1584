import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IntentExample, TrainIntentOptions, TrainingProgress } from './types.js';

/**
 * Starts the worker. From TypeScript sources (tsx, vitest) a small bootstrap registers tsx's
 * loader inside the worker and then imports train-worker.ts (`--import` in a worker's execArgv
 * does not apply to its entry file on Node 20); from compiled output it is train-worker.js.
 */
function startWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // require.resolve picks the CommonJS build; the ESM build sits next to it.
    const tsxApi = pathToFileURL(
      createRequire(here)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    const entry = new URL('./train-worker.ts', here).href;
    const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(bootstrap, { eval: true, workerData });
  }
  return new Worker(new URL('./train-worker.js', here), { workerData });
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
  // An untyped caller may pass anything; Array.isArray alone would type the elements `any`.
  const list: readonly IntentExample[] = Array.isArray(examples) ? examples : [];
  const plainExamples = list.map((example) => ({
    text: String(example?.text ?? ''),
    label: String(example?.label ?? ''),
  }));
  const plainOptions = {
    oosLabel: rest.oosLabel,
    language: rest.language,
    userDictionary: rest.userDictionary ? [...rest.userDictionary] : undefined,
    seed: rest.seed,
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const worker = startWorker({ examples: plainExamples, options: plainOptions });
    worker.on(
      'message',
      (message: { type: string; stage?: string; fraction?: number; artifact?: Uint8Array; message?: string }) => {
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
      },
    );
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
