import { existsSync } from 'node:fs';
import path from 'node:path';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures');

/** A data file that ships with the repository (test/fixtures), so tests need nothing beside the clone. */
export function fixturePath(...parts: string[]): string {
  return path.join(fixtures, ...parts);
}

/** The team's datasets folder (KEFU_DATASETS, by default ../shared/datasets), read only by evaluations. */
export function datasetsFolder(): string {
  return process.env.KEFU_DATASETS ?? path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
}

/** Whether a full dataset is present; evaluations that need one skip with a note when it is not. */
export function hasDataset(name: string): boolean {
  const present = existsSync(path.join(datasetsFolder(), name));
  if (!present)
    console.info(`dataset ${name} not found in ${datasetsFolder()} (set KEFU_DATASETS): its evaluation is skipped`);
  return present;
}
