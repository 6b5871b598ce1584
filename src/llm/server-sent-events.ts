/**
 * Incremental Server-Sent Events parser: feed decoded text, get the `data` payload of each
 * complete event (multi-line `data:` fields joined with '\n', per the SSE spec). `event:`, `id:`
 * and comment lines are ignored; OpenAI-compatible servers put everything in `data`.
 */
export class ServerSentEventParser {
  private buffer = '';
  private dataLines: string[] = [];

  /** Adds text and returns the payloads of the events it completed. */
  push(text: string): string[] {
    this.buffer += text;
    const events: string[] = [];
    // A trailing '\r' may be the first half of '\r\n'; wait for the next chunk to decide.
    let lineEnd: RegExpExecArray | null;
    const lineBreak = /\r\n|\r(?!$)|\n/g;
    let consumed = 0;
    while ((lineEnd = lineBreak.exec(this.buffer)) !== null) {
      const line = this.buffer.slice(consumed, lineEnd.index);
      consumed = lineEnd.index + lineEnd[0].length;
      this.line(line, events);
    }
    this.buffer = this.buffer.slice(consumed);
    return events;
  }

  /** Call at end of input: returns the last event when the stream did not end with a blank line. */
  end(): string[] {
    const events: string[] = [];
    if (this.buffer.length > 0) this.line(this.buffer.replace(/\r$/, ''), events);
    this.buffer = '';
    if (this.dataLines.length > 0) events.push(this.dataLines.join('\n'));
    this.dataLines = [];
    return events;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) events.push(this.dataLines.join('\n'));
      this.dataLines = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.dataLines.push(value);
  }
}
