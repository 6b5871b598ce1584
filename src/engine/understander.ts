/** One labelled phrasing the understander learns from: an FAQ id or an intent name. */
export interface LabelledPhrasing {
  text: string;
  label: string;
}

export interface Understanding {
  /** Best label, or null when nothing in the tenant's knowledge resembles the message. */
  intent: string | null;
  /** Calibrated probability that `intent` is right. */
  confidence: number;
  outOfScope: boolean;
  alternatives: Array<{ intent: string; confidence: number }>;
  /** Which model produced this (for the trace). */
  model: string;
  reasons: string[];
}

/**
 * The seam between the turn pipeline and whatever understands messages: the light-tier
 * classifier when it is trained, a lexical matcher otherwise.
 */
export interface Understander {
  understand(normalizedText: string): Understanding;
}
