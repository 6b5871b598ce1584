import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/** People in the loop: agents and their sessions, handoffs with SLA times, assist drafts, read marks. */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('agents')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('skills', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('max_concurrent', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('presence', 'text', (c) =>
      c
        .notNull()
        .defaultTo('offline')
        .check(sql`presence in ('online','away','offline')`),
    )
    .addColumn('presence_changed_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('last_seen_at', 'timestamptz')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('agents_tenant_email', ['tenant_id', 'email'])
    .execute();

  await db.schema
    .createTable('agent_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('handoffs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting','assigned','closed','returned')`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) =>
      c.notNull().check(sql`requested_by in ('bot','customer','agent','system')`),
    )
    .addColumn('route', 'text', (c) => c.notNull().check(sql`route in ('human','assist')`))
    .addColumn('intent', 'text')
    .addColumn('turn_id', 'uuid')
    .addColumn('agent_id', 'uuid', (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('assigned_at', 'timestamptz')
    .addColumn('first_response_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('resolution_code', 'text')
    .addColumn('resolution_note', 'text')
    .addColumn('first_response_due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolution_due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('first_response_breached_at', 'timestamptz')
    .addColumn('resolution_breached_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('handoffs_one_open')
    .on('handoffs')
    .columns(['tenant_id', 'conversation_id'])
    .unique()
    .where(sql.ref('status'), 'in', sql`('waiting','assigned')`)
    .execute();
  await db.schema
    .createIndex('handoffs_queue')
    .on('handoffs')
    .columns(['tenant_id', 'queue', 'status', 'queued_at'])
    .execute();
  await db.schema.createIndex('handoffs_agent').on('handoffs').columns(['tenant_id', 'agent_id', 'status']).execute();

  await db.schema
    .createTable('handoff_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('handoff_id', 'uuid', (c) => c.notNull().references('handoffs.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('handoff_events_handoff')
    .on('handoff_events')
    .columns(['tenant_id', 'handoff_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('drafts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('turn_id', 'uuid')
    .addColumn('message_id', 'uuid')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('parts', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','approved','edited','rejected')`))
    .addColumn('final_text', 'text')
    .addColumn('edit_distance', 'integer')
    .addColumn('reject_reason', 'text')
    .addColumn('agent_id', 'uuid', (c) => c.references('agents.id').onDelete('set null'))
    .addColumn('sent_message_id', 'uuid')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('drafts_conversation')
    .on('drafts')
    .columns(['tenant_id', 'conversation_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('conversation_reads')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('reader_kind', 'text', (c) => c.notNull().check(sql`reader_kind in ('contact','agent')`))
    .addColumn('reader_id', 'text', (c) => c.notNull())
    .addColumn('last_read_seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('conversation_reads_pk', ['tenant_id', 'conversation_id', 'reader_kind', 'reader_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['conversation_reads', 'drafts', 'handoff_events', 'handoffs', 'agent_sessions', 'agents']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
