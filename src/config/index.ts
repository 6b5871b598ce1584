export { loadConfig } from './load-config.js';
export type { KefuConfig, LoadConfigOptions } from './load-config.js';
