import { describe, expect, it } from 'vitest';
import { findUnstorableText, MESSAGE_TEXT_FIELDS } from './unstorable-text.js';

describe('findUnstorableText', () => {
  it('finds NUL and unpaired surrogates anywhere, naming the field', () => {
    expect(findUnstorableText({ tenant: 'shop\u0000zh' })).toBe('tenant');
    expect(findUnstorableText({ contact: { name: '张\uD800三' } })).toBe('contact.name');
    expect(findUnstorableText({ tags: ['ok', 'b\uDC00ad'] })).toBe('tags[1]');
    expect(findUnstorableText({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(findUnstorableText('\u0000')).toBe('(value)');
  });

  it('accepts ordinary text: Chinese (Simplified, Traditional), English, emoji (paired surrogates)', () => {
    expect(findUnstorableText({ name: '王小明', note: '繁體中文', en: 'Refund please', emoji: '😀👍🏽' })).toBeNull();
    expect(findUnstorableText({ count: 3, flag: true, nothing: null })).toBeNull();
  });

  it('leaves top-level message text to the message rules, but not nested fields of the same name', () => {
    expect(findUnstorableText({ text: 'a\u0000b' }, { exemptTopLevel: MESSAGE_TEXT_FIELDS })).toBeNull();
    expect(findUnstorableText({ meta: { text: 'a\u0000b' } }, { exemptTopLevel: MESSAGE_TEXT_FIELDS })).toBe(
      'meta.text',
    );
  });
});
