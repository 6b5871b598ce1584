export { detectInjection, hasOwnQuestion, type InjectionFinding } from './detect-injection.js';
export { injectionText } from './locales.js';
