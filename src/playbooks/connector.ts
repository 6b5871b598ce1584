import { sql } from 'kysely';
import type { Db } from '../store/database.js';

export interface ConnectorQuery {
  table: string;
  /** column → value (equality) or { in: values }. */
  where: Record<string, string | number | { in: Array<string | number> }>;
  orderBy?: { column: string; direction: 'asc' | 'desc' };
  limit?: number;
}

/** The `Connector` port: reads rows of a business system's table (orders, logistics, cards …). */
export interface Connector {
  readonly name: string;
  query(request: ConnectorQuery, signal?: AbortSignal): Promise<Array<Record<string, string>>>;
}

/**
 * The built-in connector: serves a tenant's `data/*.csv` tables (imported into
 * connector_records) from the database, filtered by `data->>column`.
 */
export function createDatabaseConnector(db: Db, tenantId: string): Connector {
  return {
    name: 'built-in',
    async query(request) {
      let query = db
        .selectFrom('connector_records')
        .select(['data'])
        .where('tenant_id', '=', tenantId)
        .where('table_name', '=', request.table);
      for (const [column, condition] of Object.entries(request.where)) {
        const field = sql<string>`data->>${column}`;
        if (typeof condition === 'object') {
          const values = condition.in.map(String);
          query = values.length === 0 ? query.where(sql<boolean>`false`) : query.where(field, 'in', values);
        } else query = query.where(field, '=', String(condition));
      }
      query = request.orderBy
        ? query.orderBy(sql`data->>${request.orderBy.column}`, request.orderBy.direction).orderBy('position')
        : query.orderBy('position');
      const rows = await query.limit(Math.min(request.limit ?? 500, 500)).execute();
      return rows.map((row) => row.data);
    },
  };
}
