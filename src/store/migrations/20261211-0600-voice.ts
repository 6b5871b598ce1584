import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * The voice channel: the tenants' phone numbers (with each platform's signing secret), agents'
 * phone lines, calls with their state, the events answered per call and sequence (idempotency),
 * nonces seen (replay protection) and callbacks promised to callers.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('voice_numbers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('provider', 'text', (c) => c.notNull().check(sql`provider in ('twilio','freeswitch','cloud','generic')`))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('zh-CN'))
    .addColumn('transfer_target', 'text')
    .addColumn('min_confidence', 'real', (c) => c.notNull().defaultTo(0.5))
    .addColumn('cti_url', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('voice_numbers_tenant').on('voice_numbers').columns(['tenant_id']).execute();

  await db.schema
    .createTable('voice_agent_lines')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('voice_agent_lines_pk', ['tenant_id', 'agent_id'])
    .execute();

  await db.schema
    .createTable('voice_calls')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('number_id', 'uuid', (c) => c.references('voice_numbers.id').onDelete('set null'))
    .addColumn('conversation_id', 'uuid', (c) => c.references('conversations.id').onDelete('set null'))
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('inbound','outbound')`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('ringing','active','queued','transferred','ended')`),
    )
    .addColumn('state', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('end_reason', 'text')
    .addColumn('last_event_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('answered_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('voice_calls_provider_call', ['tenant_id', 'provider', 'call_id'])
    .execute();
  await db.schema.createIndex('voice_calls_open').on('voice_calls').columns(['status', 'last_event_at']).execute();

  await db.schema
    .createTable('voice_events')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('call_row_id', 'uuid', (c) => c.notNull().references('voice_calls.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('response', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('voice_events_pk', ['call_row_id', 'seq'])
    .execute();

  await db.schema
    .createTable('voice_nonces')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('voice_nonces_pk', ['tenant_id', 'nonce'])
    .execute();

  await db.schema
    .createTable('voice_callbacks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('call_row_id', 'uuid', (c) => c.notNull().references('voice_calls.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.references('conversations.id').onDelete('set null'))
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open','done')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('voice_callbacks_call', ['call_row_id'])
    .execute();
  await db.schema
    .createIndex('voice_callbacks_tenant')
    .on('voice_callbacks')
    .columns(['tenant_id', 'status'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'voice_callbacks',
    'voice_nonces',
    'voice_events',
    'voice_calls',
    'voice_agent_lines',
    'voice_numbers',
  ])
    await db.schema.dropTable(table).ifExists().execute();
}
