import iconv from 'iconv-lite';

/** How the bytes of a text file were decoded. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' | 'mixed';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  /** 1-based line numbers that were decoded as GB18030 when the file mixes encodings. */
  gbLines: number[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes a text file from a Chinese-speaking office: UTF-8 (with or without BOM), UTF-16 with a
 * BOM, or GBK/GB18030 (what Excel on a Chinese Windows saves as "CSV"). A file that is valid UTF-8
 * is UTF-8; otherwise each line is decoded on its own, so a file concatenated from a UTF-8 and a
 * GBK export still reads correctly (0x0A never occurs inside a GBK character). Never throws.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8', gbLines: [] };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le', gbLines: [] };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be', gbLines: [] };
  }
  if (isUtf8(bytes)) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8', gbLines: [] };

  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  const gbLines: number[] = [];
  let utf8Lines = 0;
  let start = 0;
  let line = 1;
  while (start <= buffer.length) {
    let end = buffer.indexOf(0x0a, start);
    if (end === -1) end = buffer.length;
    const slice = buffer.subarray(start, end);
    if (isUtf8(slice)) {
      parts.push(slice.toString('utf8'));
      if (slice.some((byte) => byte >= 0x80)) utf8Lines += 1;
    } else {
      parts.push(iconv.decode(slice, 'gb18030'));
      gbLines.push(line);
    }
    start = end + 1;
    line += 1;
  }
  return {
    text: parts.join('\n'),
    encoding: utf8Lines > 0 ? 'mixed' : 'gb18030',
    gbLines: utf8Lines > 0 ? gbLines : [],
  };
}
