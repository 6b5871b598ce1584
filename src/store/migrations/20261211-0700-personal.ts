import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here (STYLE.md §4).

/**
 * Personal service (docs/personal.md): contact profiles beside `contacts`, external ids, the merge
 * audit, verified widget identities and the per-tenant identity secret; proactive outreach
 * (events and their deliveries); offers (the raw funnel events: exposed, held out, shown, clicked,
 * converted).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('contact_profiles')
    .addColumn('contact_id', 'uuid', (c) => c.primaryKey().references('contacts.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('phones', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('emails', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('tags', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('custom', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('consent', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('tier', 'text')
    .addColumn('time_zone', 'text')
    .addColumn('locale', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('contact_profiles_tenant').on('contact_profiles').columns(['tenant_id']).execute();

  await db.schema
    .createTable('contact_external_ids')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('contact_external_ids_pk', ['tenant_id', 'source', 'external_id'])
    .execute();
  await db.schema
    .createIndex('contact_external_ids_contact')
    .on('contact_external_ids')
    .columns(['tenant_id', 'contact_id'])
    .execute();

  await db.schema
    .createTable('contact_merges')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('contact_id', 'uuid', (c) => c.notNull())
    .addColumn('merged_contact_id', 'uuid', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('contact_merges_contact')
    .on('contact_merges')
    .columns(['tenant_id', 'contact_id'])
    .execute();

  await db.schema
    .createTable('widget_verified_identities')
    .addColumn('identity_id', 'uuid', (c) => c.primaryKey().references('contact_identities.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('contact_identity_secrets')
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('outreach_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'uuid')
    .addColumn('external_id', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index outreach_events_external on outreach_events (tenant_id, external_id) where external_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('outreach_deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('event_id', 'uuid', (c) => c.notNull().references('outreach_events.id').onDelete('cascade'))
    .addColumn('contact_id', 'uuid', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('conversation_id', 'uuid')
    .addColumn('message_id', 'uuid')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('outreach_deliveries_contact')
    .on('outreach_deliveries')
    .columns(['tenant_id', 'contact_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('offer_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('offer_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'uuid', (c) => c.notNull())
    .addColumn('conversation_id', 'uuid')
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('exposed','held_out','shown','clicked','converted')`),
    )
    .addColumn('arm', 'text', (c) => c.notNull().check(sql`arm in ('treatment','holdout')`))
    .addColumn('order_value_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('offer_events_offer')
    .on('offer_events')
    .columns(['tenant_id', 'offer_id', 'kind'])
    .execute();
  await db.schema
    .createIndex('offer_events_contact')
    .on('offer_events')
    .columns(['tenant_id', 'contact_id', 'offer_id'])
    .execute();
  await sql`create unique index offer_events_external on offer_events (tenant_id, kind, external_id) where external_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'offer_events',
    'outreach_deliveries',
    'outreach_events',
    'contact_identity_secrets',
    'widget_verified_identities',
    'contact_merges',
    'contact_external_ids',
    'contact_profiles',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
