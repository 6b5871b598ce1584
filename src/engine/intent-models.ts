import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../store/database.js';
import {
  loadIntentClassifier,
  trainIntentClassifierInWorker,
  type IntentClassifier,
  type IntentExample,
} from '../nlu/index.js';

export interface StoredIntentModel {
  version: number;
  classifier: IntentClassifier;
  trainingHash: string;
  /** True when this call trained it (false: loaded from the database). */
  trained: boolean;
}

/** Identifies a training set: same examples and dictionary → same model, no retraining. */
export function trainingSetHash(examples: readonly IntentExample[], dictionary: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ format: 1, dictionary }));
  for (const example of examples) hash.update(`${example.label}\u0000${example.text}\u0001`);
  return hash.digest('hex');
}

/**
 * The tenant's active intent model for this training set: loaded from `model_versions` when it
 * was trained before, otherwise trained in a worker thread (the event loop keeps serving) and
 * stored as a new version that becomes active in one transaction, so a reader sees either the
 * old model or the new one, never a half-written one.
 */
export async function ensureIntentModel(
  db: Db,
  tenantId: string,
  examples: readonly IntentExample[],
  dictionary: readonly string[],
): Promise<StoredIntentModel> {
  const trainingHash = trainingSetHash(examples, dictionary);
  const active = await db
    .selectFrom('model_versions')
    .select(['version', 'artifact', 'summary'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'intent')
    .where('active', '=', true)
    .executeTakeFirst();
  if (active && (active.summary as { trainingHash?: string }).trainingHash === trainingHash) {
    try {
      return {
        version: active.version,
        classifier: loadIntentClassifier(new Uint8Array(active.artifact)),
        trainingHash,
        trained: false,
      };
    } catch {
      // An artifact of an older format: retrain below.
    }
  }
  const artifact = await trainIntentClassifierInWorker(examples, { userDictionary: dictionary });
  const classifier = loadIntentClassifier(artifact);
  const version = await db.transaction().execute(async (trx) => {
    await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
    const latest = await trx
      .selectFrom('model_versions')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'intent')
      .executeTakeFirst();
    const next = Number(latest?.version ?? 0) + 1;
    await trx
      .updateTable('model_versions')
      .set({ active: false })
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'intent')
      .where('active', '=', true)
      .execute();
    await trx
      .insertInto('model_versions')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        kind: 'intent',
        version: next,
        artifact,
        summary: JSON.stringify({ ...classifier.summary, trainingHash }),
        active: true,
      })
      .execute();
    return next;
  });
  return { version, classifier, trainingHash, trained: true };
}
