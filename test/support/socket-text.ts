import type { RawData } from 'ws';

/**
 * A received WebSocket frame as text. With ws's default binaryType ('nodebuffer') a listener gets
 * one Buffer; the array and ArrayBuffer shapes come only with the other binary types.
 */
export function frameText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
