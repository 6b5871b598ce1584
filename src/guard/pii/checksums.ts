// Check digits and validity rules of the identifiers kefu recognises. Each is the published
// algorithm: GB 11643-1999 (mainland resident ID), ISO/IEC 7812 Luhn (bank cards), the Hong Kong
// Immigration Department's mod-11 HKID check and the Taiwan national ID's weighted mod-10 check.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The GB 11643 check character of the first 17 digits of a resident ID. */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let index = 0; index < 17; index += 1) sum += Number(first17[index]) * ID_WEIGHTS[index];
  return ID_CHECK[sum % 11];
}

/** Province-level codes (the first two digits) in use, plus 83 (Taiwan residents' permits). */
const PROVINCE_CODES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
  64, 65, 71, 81, 82, 83,
]);

export function isProvinceCode(digits: string): boolean {
  return PROVINCE_CODES.has(Number(digits.slice(0, 2)));
}

export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** 18-digit resident ID: region, a real birth date from 1900 to this year, and the check character. */
export function isValidResidentId18(value: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(value) || !isProvinceCode(value)) return false;
  const year = Number(value.slice(6, 10));
  if (year < 1900 || year > new Date().getUTCFullYear()) return false;
  if (!isValidDate(year, Number(value.slice(10, 12)), Number(value.slice(12, 14)))) return false;
  return residentIdCheckCharacter(value) === value[17].toUpperCase();
}

/** 15-digit resident ID (issued before 1999): region and a real 19YY birth date; it has no check digit. */
export function isValidResidentId15(value: string): boolean {
  if (!/^\d{15}$/.test(value) || !isProvinceCode(value)) return false;
  return isValidDate(1900 + Number(value.slice(6, 8)), Number(value.slice(8, 10)), Number(value.slice(10, 12)));
}

/** Luhn (mod 10) over a digit string. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit to append to `partial`. */
export function luhnCheckDigit(partial: string): string {
  for (let digit = 0; digit <= 9; digit += 1) if (luhnValid(partial + digit)) return String(digit);
  return '0';
}

function letterValue(letter: string): number {
  return letter.charCodeAt(0) - 55; // A=10 … Z=35
}

/** The HKID check character ('0'–'9' or 'A') of one or two letters and six digits. */
export function hongKongIdCheckCharacter(letters: string, digits: string): string {
  const upper = letters.toUpperCase();
  let sum =
    upper.length === 1 ? 36 * 9 + letterValue(upper) * 8 : letterValue(upper[0]) * 9 + letterValue(upper[1]) * 8;
  for (let index = 0; index < 6; index += 1) sum += Number(digits[index]) * (7 - index);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'A' : String(check);
}

export function isValidHongKongId(letters: string, digits: string, check: string): boolean {
  return (
    /^[A-Za-z]{1,2}$/.test(letters) &&
    /^\d{6}$/.test(digits) &&
    hongKongIdCheckCharacter(letters, digits) === check.toUpperCase()
  );
}

/** The two-digit values the Taiwan ID gives its leading letter (not alphabetical past H). */
const TAIWAN_LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';

export function taiwanLetterValue(letter: string): number {
  return TAIWAN_LETTERS.indexOf(letter.toUpperCase()) + 10;
}

/** Taiwan national ID (and the 2021 resident certificate): letter, 1/2/8/9, eight digits, weighted mod 10. */
export function isValidTaiwanId(value: string): boolean {
  if (!/^[A-Za-z][1289]\d{8}$/.test(value)) return false;
  const code = taiwanLetterValue(value[0]);
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let index = 1; index <= 8; index += 1) sum += Number(value[index]) * (9 - index);
  sum += Number(value[9]);
  return sum % 10 === 0;
}

/** The last digit that makes `first9` (letter + eight digits) a valid Taiwan ID. */
export function taiwanIdCheckDigit(first9: string): string {
  for (let digit = 0; digit <= 9; digit += 1) if (isValidTaiwanId(first9 + digit)) return String(digit);
  return '0';
}

/** Mainland mobile number prefixes in service (MIIT allocations to the three carriers, CBN and MVNOs). */
const MOBILE_PREFIX = /^1(?:3\d|4[5-9]|5[0-35-9]|6[25-7]|7[0-8]|8\d|9[0-35-9])/;

export function isMainlandMobile(digits: string): boolean {
  return digits.length === 11 && MOBILE_PREFIX.test(digits);
}
