// The helper lives in src/ so that training scripts there need nothing from test/.
export { datasetPath, repositoryRoot } from '../../src/datasets/dataset-path.js';
