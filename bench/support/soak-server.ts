// One kefu process for bench/soak.ts: the demo tenants on an unlimited plan (the soak measures
// memory and the event loop, not the rate limiter), /metrics public, listening on 127.0.0.1.
// Prints `READY <url> <shop key> <agent email> <agent password>`.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/index.js';
import { planLimitsSchema, planPricesSchema } from '../../src/plans/index.js';
import { createKefu } from '../../src/server/kefu.js';

const config = loadConfig({
  env: { ...process.env, LOG_LEVEL: 'warn', KEFU_DEMO: 'true', KEFU_METRICS: 'public', HOST: '127.0.0.1', PORT: '0' },
});
const kefu = await createKefu(config, { logger: false });
const db = kefu.database.db;
const planId = randomUUID();
await db
  .insertInto('plans')
  .values({
    id: planId,
    slug: `bench-soak-${planId.slice(0, 8)}`,
    name: 'Bench: unlimited',
    limits: JSON.stringify(planLimitsSchema.parse({ requestsPerSecond: 100_000, burst: 100_000 })),
    prices: JSON.stringify(planPricesSchema.parse({})),
    features: '[]',
  })
  .execute();
const shop = await db.selectFrom('tenants').select('id').where('slug', '=', 'shop-zh').executeTakeFirstOrThrow();
await db.updateTable('tenants').set({ plan_id: planId, updated_at: new Date() }).where('id', '=', shop.id).execute();
await kefu.bus.publish({ type: 'tenant.updated', tenantId: shop.id });
await kefu.runtimes.get(shop.id);
const address = await kefu.app.listen({ port: 0, host: '127.0.0.1' });
const demo = kefu.demo.find((tenant) => tenant.slug === 'shop-zh')!;
process.stdout.write(`READY ${address} ${demo.apiKey} ${demo.agent?.email ?? ''} ${demo.agent?.password ?? ''}\n`);
const stop = () => void kefu.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
