/**
 * Worker-thread entry for trainIntentClassifierInWorker: trains from workerData, posts progress
 * messages, then the artifact (transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { trainIntentClassifier } from './intent-classifier.js';
import type { IntentExample, TrainIntentOptions } from './types.js';

interface WorkerInput {
  examples: IntentExample[];
  options: Omit<TrainIntentOptions, 'onProgress'>;
}

const port = parentPort;
if (port) {
  try {
    const { examples, options } = workerData as WorkerInput;
    let lastFraction = -1;
    const classifier = trainIntentClassifier(examples, {
      ...options,
      onProgress: (progress) => {
        // Throttle to whole percents so a large tenant does not flood the parent.
        if (progress.fraction === 1 || progress.fraction - lastFraction >= 0.01) {
          lastFraction = progress.fraction;
          port.postMessage({ type: 'progress', stage: progress.stage, fraction: progress.fraction });
        }
      },
    });
    const artifact = classifier.toArtifact();
    port.postMessage({ type: 'done', artifact }, [artifact.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}
