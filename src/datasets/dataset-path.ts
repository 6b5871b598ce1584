import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is src/datasets/dataset-path.ts). */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A file of the team's shared datasets, which sit beside the repository (`../shared/datasets`)
 * on developer machines and in CI; KEFU_DATASETS overrides the folder. Training scripts under
 * src/ and the benchmarks and tests read them, so the helper lives here rather than in test/.
 */
export function datasetPath(...parts: string[]): string {
  const folder = process.env.KEFU_DATASETS ?? path.resolve(repositoryRoot, '../shared/datasets');
  const file = path.join(folder, ...parts);
  // Said plainly, rather than as an ENOENT deep inside a benchmark.
  if (!existsSync(file)) {
    throw new Error(
      `dataset ${parts.join('/') || '(folder)'} not found in ${folder}: benchmarks and training scripts read ` +
        "the team's datasets from KEFU_DATASETS (default ../shared/datasets beside the repository); npm test needs none",
    );
  }
  return file;
}
