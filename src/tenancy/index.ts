export * from './scopes.js';
export * from './tenants.js';
export * from './api-keys.js';
export * from './widget-tokens.js';
export * from './audit.js';
export * from './tenant-domains.js';
export * from './tenant-settings.js';
