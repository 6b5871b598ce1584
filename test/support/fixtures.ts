import { existsSync } from 'node:fs';
import path from 'node:path';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures');

/** A data file that ships with the repository (test/fixtures), so tests need nothing beside the clone. */
export function fixturePath(...parts: string[]): string {
  return path.join(fixtures, ...parts);
}

/**
 * The folder of full public datasets, only when KEFU_DATASETS names one: tests never look outside
 * the repository on their own, so an evaluation on a full dataset is opt-in.
 */
export function datasetsFolder(): string | null {
  return process.env.KEFU_DATASETS ?? null;
}

/** Whether a full dataset was provided (KEFU_DATASETS); evaluations that need one skip with a note when not. */
export function hasDataset(name: string): boolean {
  const folder = datasetsFolder();
  const present = folder !== null && existsSync(path.join(folder, name));
  if (!present) console.info(`dataset ${name} not provided (set KEFU_DATASETS): its evaluation is skipped`);
  return present;
}
