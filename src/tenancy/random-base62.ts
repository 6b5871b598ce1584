import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A uniformly random base62 string (for greppable secrets: API keys, operator keys). */
export function randomBase62(length: number): string {
  let result = '';
  while (result.length < length) {
    for (const byte of randomBytes(length)) {
      // 248 = 62 * 4: reject the top bytes so every character is equally likely.
      if (byte < 248 && result.length < length) result += BASE62[byte % 62];
    }
  }
  return result;
}
