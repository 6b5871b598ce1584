export { parseJsonl, readJsonlFile, rowProblem, JsonlRowError } from './jsonl.js';
