export * from './rest.js';
export * from './agent.js';
