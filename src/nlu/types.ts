/** One labelled example phrasing. */
export interface IntentExample {
  text: string;
  label: string;
}

export interface TrainingProgress {
  stage: string;
  fraction: number;
}

export interface TrainIntentOptions {
  /** Rows with this label are out-of-scope examples (optional; may be absent). */
  oosLabel?: string;
  /**
   * The tenant's language. Features cover Chinese and Latin text whatever this says, so 'auto' is
   * right for every tenant; 'zh'/'en' only set the reported language of messages whose script
   * cannot be detected (digits, emoji).
   */
  language?: 'auto' | 'zh' | 'en';
  /** jieba user dictionary lines for the tenant (`word [freq] [tag]`). */
  userDictionary?: readonly string[];
  onProgress?: (progress: TrainingProgress) => void;
  seed?: number;
}

export interface IntentPrediction {
  /** null when out of scope. */
  intent: string | null;
  /**
   * Calibrated probability that the best in-scope intent is right. For an out-of-scope result it
   * is still that probability (low by construction), and the candidates are in `alternatives`.
   */
  confidence: number;
  outOfScope: boolean;
  /** Top 5 in-scope intents, descending. */
  alternatives: Array<{ intent: string; confidence: number }>;
  language: 'zh' | 'en' | 'mixed' | 'unknown';
  /** Why the result looks the way it does, e.g. 'empty input', 'below oos threshold'. */
  reasons: string[];
}

export interface IntentClassifier {
  readonly labels: readonly string[];
  /** Never throws, whatever the input. */
  classify(text: string): IntentPrediction;
  /** A versioned, self-contained binary model. */
  toArtifact(): Uint8Array;
  readonly summary: { examples: number; intents: number; trainMs: number; warnings: string[] };
}
