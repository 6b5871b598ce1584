import { LexicalIndex, type KnowledgeEntry, type RetrievalIndex } from './retrieval-index.js';

export interface BuildRetrievalIndexOptions {
  userDictionary?: readonly string[];
}

export function buildRetrievalIndex(entries: readonly KnowledgeEntry[], options: BuildRetrievalIndexOptions = {}): RetrievalIndex {
  return new LexicalIndex(entries, { userDictionary: options.userDictionary });
}
