export { normalizeText, toHalfWidth, toSimplifiedChinese, detectLanguage } from './normalize.js';
export type { Language, NormalizedText } from './normalize.js';
export { tokenize, defaultJieba, jiebaWithUserDictionary } from './tokenize.js';
export type { TokenizeOptions } from './tokenize.js';
export { parseChineseNumber, CHINESE_NUMERAL_CHARACTERS } from './chinese-numerals.js';
export { chineseScriptOf, toTraditionalChinese, type ChineseScript } from './script.js';
