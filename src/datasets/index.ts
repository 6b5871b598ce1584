export { parseJsonl, readJsonlFile, rowProblem, JsonlRowError } from './jsonl.js';
export { datasetPath, repositoryRoot } from './dataset-path.js';
