export { loadPack } from './load-pack.js';
export type { LoadedPack, PackProblem, TenantPack, PackDocument, PackPlaybook, PackTable } from './load-pack.js';
export { importPack } from './import-pack.js';
export type { ImportResult, ChangeCount } from './import-pack.js';
export { exportPack } from './export-pack.js';
export type { ExportResult } from './export-pack.js';
export type { IntentDefinition, StyleGuide, TenantFile } from './pack-schema.js';
