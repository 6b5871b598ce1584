export { parseFaqSheet, faqIdFromQuestion, phrasingKey } from './faq-sheet.js';
export type { FaqEntry, SheetProblem } from './faq-sheet.js';
export { buildRetrievalIndex } from './build-retrieval-index.js';
export type { BuildRetrievalIndexOptions } from './build-retrieval-index.js';
export { LexicalIndex } from './retrieval-index.js';
export type { KnowledgeEntry, RetrievalHit, RetrievalIndex, SearchOptions, KnowledgeField } from './retrieval-index.js';
