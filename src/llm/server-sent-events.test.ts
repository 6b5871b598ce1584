import { describe, expect, it } from 'vitest';
import { ServerSentEventParser } from './server-sent-events.js';

describe('ServerSentEventParser', () => {
  it('yields data payloads across arbitrary chunk splits, CRLF/CR/LF, comments and multi-line data', () => {
    const stream = ': keep-alive\r\ndata: {"a":1}\r\n\r\nevent: x\ndata: line one\ndata:line two\n\rdata: [DONE]\r\r';
    for (let size = 1; size <= stream.length; size += 1) {
      const parser = new ServerSentEventParser();
      const events: string[] = [];
      for (let start = 0; start < stream.length; start += size)
        events.push(...parser.push(stream.slice(start, start + size)));
      events.push(...parser.end());
      expect(events).toEqual(['{"a":1}', 'line one\nline two', '[DONE]']);
    }
  });

  it('returns a last event that was not followed by a blank line at end of input', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('data: {"b":2}')).toEqual([]);
    expect(parser.end()).toEqual(['{"b":2}']);
  });
});
