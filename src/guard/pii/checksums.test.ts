import { describe, expect, it } from 'vitest';
import {
  hongKongIdCheckCharacter,
  isMainlandMobile,
  isValidHongKongId,
  isValidResidentId15,
  isValidResidentId18,
  isValidTaiwanId,
  luhnCheckDigit,
  luhnValid,
  residentIdCheckCharacter,
} from './checksums.js';

describe('check digits', () => {
  it('GB 11643: the published example and a lower-case X', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(isValidResidentId18('11010519491231002X')).toBe(true);
    expect(isValidResidentId18('11010519491231002x')).toBe(true);
    expect(isValidResidentId18('110105194912310021')).toBe(false); // wrong check digit
    expect(isValidResidentId18('990105194912310025')).toBe(false); // no such province
    expect(isValidResidentId18('11010519490231002X')).toBe(false); // 31 February
  });

  it('old 15-digit IDs need a real region and a real 19YY date', () => {
    expect(isValidResidentId15('110105710923582')).toBe(true);
    expect(isValidResidentId15('110105711323582')).toBe(false);
    expect(isValidResidentId15('202412051234567')).toBe(false);
  });

  it('Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnCheckDigit('622848001234567')).toBe('1');
    expect(luhnValid('6228480012345671')).toBe(true);
  });

  it('HKID mod 11, with one or two letters and A as the check character', () => {
    expect(hongKongIdCheckCharacter('A', '123456')).toBe('3');
    expect(isValidHongKongId('A', '123456', '3')).toBe(true);
    expect(isValidHongKongId('A', '123456', '4')).toBe(false);
    expect(hongKongIdCheckCharacter('G', '908172')).toBe('A');
    expect(isValidHongKongId('XA', '135790', '2')).toBe(true);
  });

  it('Taiwan ID weighted mod 10', () => {
    expect(isValidTaiwanId('A123456789')).toBe(true);
    expect(isValidTaiwanId('A123456788')).toBe(false);
    expect(isValidTaiwanId('F223451236')).toBe(true);
    expect(isValidTaiwanId('A323456789')).toBe(false); // the second digit is 1, 2, 8 or 9
  });

  it('mainland mobile prefixes', () => {
    for (const number of ['13800138000', '14712345678', '16612345678', '19912345678', '17012345678'])
      expect(isMainlandMobile(number)).toBe(true);
    for (const number of ['12012345678', '15412345678', '10086000000', '1380013800'])
      expect(isMainlandMobile(number)).toBe(false);
  });
});
