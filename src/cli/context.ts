import { loadConfig, type KefuConfig } from '../config/index.js';
import { openConfiguredDatabase } from '../server/kefu.js';
import { migrateToLatest, type Database } from '../store/database.js';
import { cliIo, serverDatabase } from './io.js';

export { print, printError, setExitCode } from './io.js';

/**
 * Runs `work` with the configured database, migrated. Inside a running server (a command the
 * server runs for a CLI, src/cli/delegate.ts) that is the server's own open database; otherwise
 * it is opened here (taking the data directory's owner lock) and closed afterwards.
 */
export async function withDatabase<T>(
  work: (database: Database, config: KefuConfig) => Promise<T>,
  overrides: Record<string, unknown> = {},
): Promise<T> {
  const shared = serverDatabase();
  if (shared) {
    const server = cliIo().kefu!;
    await migrateToLatest(shared.db);
    return work(shared, server.config);
  }
  const config = loadConfig({ overrides });
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db);
    return await work(database, config);
  } finally {
    await database.close();
  }
}
