/**
 * The durable floor bench/http.ts compares kefu to: a bare Fastify route on the same kind of
 * database (PGlite in its own folder, or the PostgreSQL of DATABASE_URL) that does the least a
 * durable chat turn must do. It looks the API key up by its hash, then writes the customer message
 * and a reply in one committed transaction, and answers 201. No pipeline, no metering, no traces.
 *
 *   tsx bench/support/floor-server.ts   → prints `LISTENING <url> KEY <secret> CONVERSATIONS <id,…>`
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';

interface Queryable {
  query<Row>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}
interface FloorDatabase {
  query: Queryable['query'];
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const schema = `floor_${process.pid}`;

async function openFloorDatabase(): Promise<FloorDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const pg = await import('pg');
    const setup = new pg.default.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`create schema if not exists ${schema}`);
    await setup.end();
    // The same pool size as kefu's; every connection works in the floor's own schema.
    const pool = new pg.default.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
    return {
      query: async (text, values) => pool.query(text, values as unknown[]) as never,
      transaction: async (work) => {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const result = await work({
            query: async (text, values) => client.query(text, values as unknown[]) as never,
          });
          await client.query('commit');
          return result;
        } catch (error) {
          await client.query('rollback').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      },
      close: async () => {
        await pool.query(`drop schema ${schema} cascade`).catch(() => undefined);
        await pool.end();
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-floor-'));
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  return {
    query: async (text, values) => pglite.query(text, values as unknown[]) as never,
    transaction: (work) =>
      pglite.transaction((tx) => work({ query: (text, values) => tx.query(text, values) as never })),
    close: async () => {
      await pglite.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const database = await openFloorDatabase();
await database.query(`create table if not exists floor_api_keys (
  hash text primary key, tenant_id uuid not null, revoked_at timestamptz)`);
await database.query(`create table if not exists floor_conversations (
  tenant_id uuid not null, id uuid not null, primary key (tenant_id, id))`);
await database.query(`create table if not exists floor_messages (
  tenant_id uuid not null, id uuid not null, conversation_id uuid not null, seq bigserial,
  direction text not null, parts jsonb not null, text text not null,
  created_at timestamptz not null default now(), primary key (tenant_id, id))`);
await database.query(`create index if not exists floor_messages_by_conversation
  on floor_messages (tenant_id, conversation_id, seq)`);

const tenantId = randomUUID();
const secret = `floor_sk_${randomUUID().replaceAll('-', '')}`;
const hash = (value: string) => createHash('sha256').update(value).digest('hex');
await database.query('insert into floor_api_keys (hash, tenant_id) values ($1, $2)', [hash(secret), tenantId]);
const conversations = Array.from({ length: 100 }, () => randomUUID());
for (const id of conversations) {
  await database.query('insert into floor_conversations (tenant_id, id) values ($1, $2)', [tenantId, id]);
}

const app = Fastify({ logger: false });
app.post<{ Params: { id: string }; Body: { text?: string } }>(
  '/v1/conversations/:id/messages',
  async (request, reply) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return reply.code(401).send({ code: 'unauthorised' });
    const key = await database.query<{ tenant_id: string }>(
      'select tenant_id from floor_api_keys where hash = $1 and revoked_at is null',
      [hash(token)],
    );
    const tenant = key.rows[0]?.tenant_id;
    if (!tenant) return reply.code(401).send({ code: 'unauthorised' });
    const text = String(request.body?.text ?? '');
    const answer = `收到：${text}`;
    const stored = await database.transaction(async (tx) => {
      const inbound = await tx.query<{ id: string; seq: string }>(
        `insert into floor_messages (tenant_id, id, conversation_id, direction, parts, text)
         values ($1, $2, $3, 'incoming', $4, $5) returning id, seq`,
        [tenant, randomUUID(), request.params.id, JSON.stringify([{ type: 'text', text }]), text],
      );
      const outbound = await tx.query<{ id: string; seq: string }>(
        `insert into floor_messages (tenant_id, id, conversation_id, direction, parts, text)
         values ($1, $2, $3, 'outgoing', $4, $5) returning id, seq`,
        [tenant, randomUUID(), request.params.id, JSON.stringify([{ type: 'text', text: answer }]), answer],
      );
      return { inbound: inbound.rows[0], reply: outbound.rows[0] };
    });
    return reply.code(201).send({ message: stored.inbound, reply: { ...stored.reply, text: answer } });
  },
);
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`LISTENING ${address} KEY ${secret} CONVERSATIONS ${conversations.join(',')}\n`);
const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
