import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { redactingLoggerOptions, redactUrl } from './log-redaction.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino(redactingLoggerOptions('debug'), stream), text: () => lines.join('') };
}

describe('log redaction', () => {
  it('cuts secret query parameters and kefu credentials out of URLs', () => {
    expect(redactUrl('/v1/agent/ws?token=kefu_at_abc123')).toBe('/v1/agent/ws?token=[redacted]');
    expect(redactUrl('/widget/v1/ws?conversationId=9&token=eyJ.x.y&after=3')).toBe(
      '/widget/v1/ws?conversationId=9&token=[redacted]&after=3',
    );
    expect(redactUrl('/x?%74oken=abc')).toBe('/x?%74oken=[redacted]');
    expect(redactUrl('/v1/keys/kefu_sk_AbC')).toBe('/v1/keys/[redacted]');
    expect(redactUrl('/v1/conversations?limit=5&客服=你好')).toBe('/v1/conversations?limit=5&客服=你好');
  });

  it('keeps a database error readable but drops the statement parameters (a password hash here)', async () => {
    const pglite = new PGlite();
    await pglite.exec('create table agents (email text primary key, password_hash text not null)');
    await pglite.query('insert into agents values ($1, $2)', ['li@example.com', 'scrypt$secret-hash-一']);
    const failure = await pglite
      .query('insert into agents values ($1, $2)', ['li@example.com', 'scrypt$secret-hash-二'])
      .catch((error: unknown) => error);
    await pglite.close();
    const { logger, text } = capture();
    logger.error({ err: failure }, 'agent insert failed');
    logger.info(
      { password: 'hunter2hunter2', agent: { password_hash: 'scrypt$secret-hash-三', token: 'kefu_at_zzz' } },
      'login',
    );
    logger.warn({ err: new Error('bad key kefu_sk_LEAKED1 for webhook whsec_LEAKED2') }, 'oops');
    const output = text();
    expect(output).toMatch(/duplicate key value/);
    expect(output).not.toMatch(/secret-hash|hunter2|kefu_at_zzz|LEAKED/);
  });
});
