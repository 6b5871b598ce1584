import { describe, expect, it } from 'vitest';
import { loadIntentClassifier, trainIntentClassifier, type IntentClassifier } from './index.js';
import { shopExamples, shopOutOfScope } from './__fixtures__/shop-tenant.js';

const withOos = trainIntentClassifier([...shopExamples, ...shopOutOfScope], { oosLabel: 'oos', seed: 7 });
const withoutOos = trainIntentClassifier(shopExamples, { seed: 7 });

function expectIntent(classifier: IntentClassifier, text: string, intent: string) {
  const prediction = classifier.classify(text);
  expect(prediction.alternatives[0]?.intent, text).toBe(intent);
  return prediction;
}

describe('trainIntentClassifier', () => {
  it('learns the intents and reports a summary', () => {
    expect([...withOos.labels]).toEqual(['change_address', 'invoice', 'payment_failed', 'return_goods', 'track_order']);
    expect(withOos.summary.examples).toBe(shopExamples.length + shopOutOfScope.length);
    expect(withOos.summary.intents).toBe(5);
    expect(withOos.summary.trainMs).toBeGreaterThan(0);
  });

  it('classifies Simplified Chinese, Traditional Chinese and English phrasings', () => {
    const simplified = expectIntent(withOos, '我想退货，怎么操作', 'return_goods');
    expect(simplified.language).toBe('zh');
    const traditional = expectIntent(withOos, '我想退貨，請問怎麼辦理', 'return_goods');
    expect(traditional.language).toBe('zh');
    expectIntent(withOos, '發票抬頭寫錯了', 'invoice');
    expectIntent(withOos, '快遞到哪裡了', 'track_order');
    const english = expectIntent(withOos, 'Where is my parcel?', 'track_order');
    expect(english.language).toBe('en');
    expectIntent(withOos, 'My card was declined at checkout', 'payment_failed');
    expectIntent(withOos, 'ＣＨＡＮＧＥ my shipping address', 'change_address');
    expectIntent(withoutOos, '我的包裹什麼時候到', 'track_order');
  });

  it('returns top-5 alternatives in descending order with probabilities', () => {
    const prediction = withOos.classify('怎么开发票');
    expect(prediction.alternatives).toHaveLength(5);
    for (let index = 1; index < prediction.alternatives.length; index += 1) {
      expect(prediction.alternatives[index - 1].confidence).toBeGreaterThanOrEqual(
        prediction.alternatives[index].confidence,
      );
    }
    const total = prediction.alternatives.reduce((sum, alternative) => sum + alternative.confidence, 0);
    expect(total).toBeLessThanOrEqual(1.000001);
    expect(prediction.intent).toBe('invoice');
    expect(prediction.confidence).toBe(prediction.alternatives[0].confidence);
  });

  it('gives mixed-script input a language of mixed', () => {
    expect(withOos.classify('我的order什么时候ship').language).toBe('mixed');
  });

  it('reports the tenant language only for messages whose script says nothing', () => {
    const chinese = trainIntentClassifier(shopExamples, { language: 'zh', seed: 7 });
    expect(chinese.classify('12345').language).toBe('zh');
    expect(chinese.classify('where is my package').language).toBe('en');
    expect(withOos.classify('12345').language).toBe('unknown');
  });

  it('is deterministic for a seed', () => {
    const again = trainIntentClassifier([...shopExamples, ...shopOutOfScope], { oosLabel: 'oos', seed: 7 });
    expect(again.classify('地址填错了怎么办')).toEqual(withOos.classify('地址填错了怎么办'));
  });

  it('reports progress from 0 to 1 in order', () => {
    const fractions: number[] = [];
    const stages = new Set<string>();
    trainIntentClassifier(shopExamples, {
      onProgress: ({ stage, fraction }) => {
        fractions.push(fraction);
        stages.add(stage);
      },
    });
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    for (let index = 1; index < fractions.length; index += 1)
      expect(fractions[index]).toBeGreaterThanOrEqual(fractions[index - 1]);
    expect([...stages]).toEqual(expect.arrayContaining(['prepare', 'calibrate', 'train', 'done']));
  });

  it('uses a tenant user dictionary for segmentation', () => {
    const examples = [
      ...shopExamples,
      ...['花呗分期怎么还', '花呗还款', '花呗额度', '花呗逾期了'].map((text) => ({ text, label: 'huabei' })),
    ];
    const classifier = trainIntentClassifier(examples, { userDictionary: ['花呗 1000 n'] });
    expect(classifier.classify('花呗怎么分期').intent).toBe('huabei');
  });
});

describe('out-of-scope detection', () => {
  it('rejects out-of-scope messages when trained with out-of-scope examples', () => {
    for (const text of ['明天会下雨吗', '讲个笑话吧', 'what is the capital of france']) {
      const prediction = withOos.classify(text);
      expect(prediction.outOfScope, text).toBe(true);
      expect(prediction.intent).toBeNull();
      expect(prediction.confidence).toBeLessThan(0.85);
    }
  });

  it('keeps in-scope messages in scope', () => {
    for (const text of ['怎么退货', '发票怎么开', 'track my order please']) {
      expect(withOos.classify(text).outOfScope, text).toBe(false);
      expect(withoutOos.classify(text).outOfScope, text).toBe(false);
    }
  });

  it('rejects text with no known words even without out-of-scope examples', () => {
    const prediction = withoutOos.classify('zxqv plormb');
    expect(prediction.outOfScope).toBe(true);
    expect(prediction.confidence).toBeLessThan(0.5);
  });
});

describe('bad input', () => {
  const cases: Array<[string, unknown]> = [
    ['empty', ''],
    ['whitespace only', '   \n\t  '],
    ['emoji only', '😀😀🎉👍'],
    ['control characters', '\u0000\u0001\u0007\u001b\u007f'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ];
  for (const [name, input] of cases) {
    it(`returns a low-confidence out-of-scope result for ${name}`, () => {
      const prediction = withOos.classify(input as string);
      expect(prediction.outOfScope).toBe(true);
      expect(prediction.intent).toBeNull();
      expect(prediction.confidence).toBeLessThan(0.5);
      expect(prediction.reasons.length).toBeGreaterThan(0);
    });
  }

  it('names the reason for empty input', () => {
    expect(withOos.classify('').reasons).toContain('empty input');
  });

  it('handles 100 kB of input quickly without throwing', () => {
    const huge = '我要退货'.repeat(25_000);
    const started = performance.now();
    const prediction = withOos.classify(huge);
    expect(performance.now() - started).toBeLessThan(200);
    expect(prediction.reasons.some((reason) => reason.startsWith('input truncated'))).toBe(true);
    expect(prediction.alternatives[0].intent).toBe('return_goods');
  });

  it('handles mixed scripts and control characters inside real text', () => {
    const prediction = withOos.classify('我\u0000要\u200b退货 please');
    expect(prediction.alternatives[0].intent).toBe('return_goods');
  });

  it('trains with no examples and says why', () => {
    const empty = trainIntentClassifier([]);
    expect(empty.labels).toEqual([]);
    expect(empty.summary.warnings.join(' ')).toMatch(/no in-scope examples/);
    const prediction = empty.classify('我要退货');
    expect(prediction).toMatchObject({ intent: null, outOfScope: true, confidence: 0 });
    expect(prediction.reasons).toContain('no intents trained');
    expect(loadIntentClassifier(empty.toArtifact()).classify('hi').outOfScope).toBe(true);
  });

  it('trains a single intent and caps its confidence', () => {
    const single = trainIntentClassifier(shopExamples.filter((example) => example.label === 'invoice'));
    expect(single.summary.warnings.join(' ')).toMatch(/single intent/);
    const prediction = single.classify('我需要开发票');
    expect(prediction.intent).toBe('invoice');
    expect(prediction.confidence).toBeLessThanOrEqual(0.5);
    expect(prediction.reasons).toContain('single intent: confidence capped');
    expect(single.classify('今天天气不错').outOfScope).toBe(true);
  });

  it('skips malformed examples with a warning', () => {
    const classifier = trainIntentClassifier([
      ...shopExamples,
      { text: '', label: 'x' },
      { text: 'hello' } as never,
      null as never,
    ]);
    expect(classifier.summary.warnings.join(' ')).toMatch(/3 example\(s\) skipped/);
    expect(classifier.labels).not.toContain('x');
  });
});

describe('artifact', () => {
  it('round-trips: the loaded model predicts exactly like the trained one', () => {
    const artifact = withOos.toArtifact();
    expect(artifact).toBeInstanceOf(Uint8Array);
    const loaded = loadIntentClassifier(artifact);
    expect(loaded.labels).toEqual(withOos.labels);
    expect(loaded.summary).toEqual(withOos.summary);
    for (const text of ['我要退货', '發票', 'where is my package', '今天天气', '', 'payment failed again']) {
      expect(loaded.classify(text)).toEqual(withOos.classify(text));
    }
    expect(loaded.toArtifact()).toEqual(artifact);
  });

  it('rejects foreign bytes and unknown versions with a clear error', () => {
    expect(() => loadIntentClassifier(new Uint8Array([1, 2, 3]))).toThrow(/not a kefu intent model artifact/);
    const artifact = withOos.toArtifact();
    new DataView(artifact.buffer, artifact.byteOffset).setUint32(8, 999, true);
    expect(() => loadIntentClassifier(artifact)).toThrow(/version 999 is not supported/);
  });
});
