import type { ColumnType } from 'kysely';

/** Tables of the trainer's console (migrations 20261212-0400-training-examples, 20261213-0200-trainer-faqs). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** What a trainer said a turn was: an FAQ entry, an intent, out of scope, or a must-hand-over. */
export type LabelKind = 'faq' | 'intent' | 'out_of_scope' | 'handover';
export const LABEL_KINDS = ['faq', 'intent', 'out_of_scope', 'handover'] as const;

/** Who made a training example: a trainer, or a suggestion click the promotion policy promoted. */
export type ExampleSource = 'trainer' | 'click';

export type RunStatus = 'candidate' | 'active' | 'superseded' | 'discarded' | 'failed';

export interface TrainingExamplesTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  trace_id: string;
  version: number;
  text: string;
  kind: LabelKind;
  target: string | null;
  labelled_by: string;
  superseded_at: NullableTimestamp;
  applied_run_id: string | null;
  source: ColumnType<ExampleSource, ExampleSource | undefined, ExampleSource>;
  created_at: Timestamp;
}

/** An FAQ entry a trainer created from a review item; copied into faq_entries by the activation that accepts it. */
export interface TrainingFaqsTable {
  id: string;
  tenant_id: string;
  external_id: string;
  question: string;
  answer: string;
  trace_id: string | null;
  created_by: string;
  applied_run_id: string | null;
  created_at: Timestamp;
}

/** Per-tenant settings of the trainer's console (no row: the defaults). */
export interface TrainingSettingsTable {
  tenant_id: string;
  /** The click promotion policy, {mode, minAgreeing} (src/learning/review-queue.ts). */
  promotion: ColumnType<Record<string, unknown>, string, string>;
  updated_by: string;
  updated_at: Timestamp;
}

export interface TrainingRunsTable {
  id: string;
  tenant_id: string;
  number: number;
  status: RunStatus;
  model_kind: string | null;
  regression_size: ColumnType<number, number | undefined, number>;
  examples: ColumnType<number, number | undefined, number>;
  active_accuracy: number | null;
  candidate_accuracy: number | null;
  forced: ColumnType<boolean, boolean | undefined, boolean>;
  error: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  artifact: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  created_by: string;
  created_at: Timestamp;
  activated_at: NullableTimestamp;
}

export interface TrainingDatabase {
  training_examples: TrainingExamplesTable;
  training_runs: TrainingRunsTable;
  training_faqs: TrainingFaqsTable;
  training_settings: TrainingSettingsTable;
}
