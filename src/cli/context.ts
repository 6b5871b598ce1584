import { loadConfig, type KefuConfig } from '../config/index.js';
import { openConfiguredDatabase } from '../server/kefu.js';
import { migrateToLatest, type Database } from '../store/database.js';

/** Opens the configured database with migrations applied, runs `work`, and closes it. */
export async function withDatabase<T>(work: (database: Database, config: KefuConfig) => Promise<T>, overrides: Record<string, unknown> = {}): Promise<T> {
  const config = loadConfig({ overrides });
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db);
    return await work(database, config);
  } finally {
    await database.close();
  }
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}
