export * from './profile.js';
export * from './contact-store.js';
export * from './identity.js';
export * from './import-mapping.js';
export * from './import-contacts.js';
export * from './service-history.js';
export type { PersonalDatabase } from './contact-tables.js';
