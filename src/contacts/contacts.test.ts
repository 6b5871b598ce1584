import { describe, expect, it } from 'vitest';
import { signUserId, verifyUserHash } from './identity.js';
import { buildMapping, parseMapOptions, parseRow, parseTarget, parseTyped } from './import-mapping.js';
import { EMPTY_PROFILE, applyInput, mergeProfiles, normalizePhone, templateView } from './profile.js';
import { renderTemplate } from '../playbooks/template.js';

describe('widget identity verification (HMAC-SHA256)', () => {
  const secret = 'kefu_is_test-secret';
  it('accepts the hash the business computes and refuses anything else', () => {
    const hash = signUserId('u-1001', secret);
    // The same value any HMAC library gives: hex, 64 characters.
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyUserHash('u-1001', hash, secret)).toBe(true);
    expect(verifyUserHash('u-1001', hash.toUpperCase(), secret)).toBe(true);
    expect(verifyUserHash('u-1002', hash, secret)).toBe(false);
    expect(verifyUserHash('u-1001', signUserId('u-1001', 'another secret'), secret)).toBe(false);
    expect(verifyUserHash('u-1001', hash.slice(0, 63), secret)).toBe(false);
    expect(verifyUserHash('u-1001', 'not hex at all', secret)).toBe(false);
    expect(verifyUserHash('用户-张三', signUserId('用户-张三', secret), secret)).toBe(true);
  });
});

describe('import column mapping', () => {
  it('maps Simplified, Traditional and English headers by themselves', () => {
    const zh = buildMapping(['会员号', '姓名', '手机号', '邮箱', '会员等级', '标签', '积分']);
    expect(zh.errors).toEqual([]);
    expect(zh.mapping.targets.map((target) => target.kind)).toEqual([
      'external_id',
      'name',
      'phone',
      'email',
      'tier',
      'tags',
      'ignore',
    ]);
    expect(zh.mapping.ignored).toEqual(['积分']);
    const tw = buildMapping(['會員編號', '姓名', '手機號碼', '電郵']);
    expect(tw.mapping.targets.map((target) => target.kind)).toEqual(['external_id', 'name', 'phone', 'email']);
    const en = buildMapping(['Customer ID', 'Full Name', 'Mobile', 'E-mail', 'Time Zone']);
    expect(en.mapping.targets.map((target) => target.kind)).toEqual([
      'external_id',
      'name',
      'phone',
      'email',
      'time_zone',
    ]);
  });

  it('takes --map entries with typed attributes and refuses unknown fields and columns', () => {
    const { map } = parseMapOptions(['积分=attr.points:number', '生日=attr.birthday:date', '接受推荐=consent.offers']);
    const built = buildMapping(['会员号', '积分', '生日', '接受推荐'], map);
    expect(built.errors).toEqual([]);
    const row = parseRow(['M001', '1,280', '1990年5月3日', '是'], built.mapping);
    expect(row.input).toEqual({
      externalIds: [{ source: 'user', id: 'M001' }],
      attributes: { points: 1280, birthday: '1990-05-03' },
      consent: { offers: true },
    });
    expect(buildMapping(['id', 'x'], { x: 'attr.y:money' }).errors[0]).toContain('unknown field');
    expect(buildMapping(['id'], { 不存在: 'name' }).errors[0]).toContain('no column "不存在"');
    expect(parseMapOptions(['novalue']).errors).toHaveLength(1);
    expect(buildMapping(['姓名', '备注']).errors[0]).toContain('no column identifies a contact');
    expect(parseTarget('ext.taobao')).toEqual({ kind: 'external_id', source: 'taobao' });
  });

  it('reports a bad row with the field and reason instead of half-applying it', () => {
    const { mapping } = buildMapping(['id', 'phone', 'email', 'points'], { points: 'attr.points:number' });
    const bad = parseRow(['A1', '12ab', 'x@y.com', '10'], mapping);
    expect(bad.input).toBeNull();
    expect(bad.problems[0]).toMatchObject({ field: 'phone', code: 'bad_phone' });
    expect(parseRow(['A1', '', 'not-an-email', ''], mapping).problems[0]).toMatchObject({ code: 'bad_email' });
    expect(parseRow(['A1', '', '', 'lots'], mapping).problems[0]).toMatchObject({
      field: 'attr.points',
      code: 'bad_value',
    });
    expect(parseRow(['', '', '', '5'], mapping).problems[0]).toMatchObject({ code: 'no_identifier' });
    expect(parseRow(['A2', '+86 138-0057-1001', '', ''], mapping).input?.phones).toEqual(['+8613800571001']);
  });

  it('parses typed values in Chinese and English forms', () => {
    expect(parseTyped('¥1,234.50', 'number')).toBe(1234.5);
    expect(parseTyped('否', 'boolean')).toBe(false);
    expect(parseTyped('Yes', 'boolean')).toBe(true);
    expect(parseTyped('2026/02/30', 'date')).toBeUndefined();
    expect(parseTyped('2026-11-25', 'date')).toBe('2026-11-25');
  });
});

describe('profiles', () => {
  it('merges two profiles: survivor wins and conflicts are listed; a withdrawn consent stays withdrawn', () => {
    const a = applyInput(EMPTY_PROFILE, {
      name: '林晓雨',
      phones: ['13800571001'],
      tier: 'gold',
      consent: { offers: true },
    });
    const b = applyInput(EMPTY_PROFILE, {
      name: 'Lin',
      phones: ['13800571001', '13900000000'],
      tags: ['常旅客'],
      consent: { offers: false },
      attributes: { city: '杭州' },
    });
    const merged = mergeProfiles(a, b);
    expect(merged.profile.name).toBe('林晓雨');
    expect(merged.profile.phones).toEqual(['13800571001', '13900000000']);
    expect(merged.profile.tags).toEqual(['常旅客']);
    expect(merged.profile.consent.offers).toBe(false);
    expect(merged.profile.attributes).toEqual({ city: '杭州' });
    expect(merged.conflicts).toEqual([{ field: 'name', kept: '林晓雨', dropped: 'Lin' }]);
    expect(normalizePhone('abc')).toBeNull();
  });

  it('gives templates the profile, with a defined fallback for a missing field', () => {
    const view = templateView(applyInput(EMPTY_PROFILE, { tier: 'VIP', attributes: { points: 300 } }), {
      conversations: 3,
      lastSeenAt: null,
    });
    const contact = { ...view, name: null };
    const scopes = [{ contact }];
    expect(renderTemplate('{{#if contact.returning}}欢迎回来，{{/if}}{{contact.name | "您"}}好', scopes)).toBe(
      '欢迎回来，您好',
    );
    expect(renderTemplate('{{#if contact.vip}}VIP {{/if}}{{contact.attributes.points}} pts', scopes)).toBe(
      'VIP 300 pts',
    );
    expect(renderTemplate("Hi {{contact.nickname | 'there'}}, order {{contact.orders.0.no | n/a}}", scopes)).toBe(
      'Hi there, order n/a',
    );
  });
});
