import { describe, expect, it } from 'vitest';
import { loadIntentClassifier, trainIntentClassifier, trainIntentClassifierInWorker } from './index.js';
import { shopExamples, shopOutOfScope } from './__fixtures__/shop-tenant.js';

describe('trainIntentClassifierInWorker', () => {
  it('trains off the main thread with progress events while timers keep firing', async () => {
    // Enough phrasings that training takes a while: each example repeated with variations.
    const examples = [...shopExamples, ...shopOutOfScope].flatMap((example) =>
      Array.from({ length: 12 }, (_, index) => ({
        text: `${example.text} ${index % 2 === 0 ? '谢谢' : 'please'} ${index}`,
        label: example.label,
      })),
    );
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const current = performance.now();
      longestGap = Math.max(longestGap, current - last);
      last = current;
      ticks += 1;
    }, 5);
    const progress: Array<{ stage: string; fraction: number }> = [];
    const started = performance.now();
    let artifact: Uint8Array;
    try {
      artifact = await trainIntentClassifierInWorker(examples, {
        oosLabel: 'oos',
        seed: 3,
        onProgress: (event) => progress.push(event),
      });
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    // The event loop stayed responsive: ticks throughout, no long stall.
    expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
    expect(longestGap).toBeLessThan(400);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toEqual({ stage: 'done', fraction: 1 });
    expect(new Set(progress.map((event) => event.stage))).toEqual(new Set(['prepare', 'calibrate', 'train', 'done']));
    const classifier = loadIntentClassifier(artifact);
    expect(classifier.classify('我要退貨').intent).toBe('return_goods');
    expect(classifier.summary.examples).toBe(examples.length);
    // Same data and seed in-process gives the same model.
    const local = trainIntentClassifier(examples, { oosLabel: 'oos', seed: 3 });
    expect(classifier.classify('where is my parcel')).toEqual(local.classify('where is my parcel'));
  });

  it('trains a tenant with no examples and a malformed user dictionary without failing', async () => {
    const artifact = await trainIntentClassifierInWorker([], {
      userDictionary: ['\u0000花呗\u0000 not-a-number n', '   ', '# comment'],
    });
    const classifier = loadIntentClassifier(artifact);
    expect(classifier.labels).toEqual([]);
    expect(classifier.classify('花呗').outOfScope).toBe(true);
  });
});
