// One kefu process for bench/tenants.ts: the demo tenants, the flooding tenant (bank-zh) on a
// small plan, listening on 127.0.0.1. Prints `READY <url> <quiet key> <flood key> <flood rps>`.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/index.js';
import { planLimitsSchema, planPricesSchema } from '../../src/plans/index.js';
import { createKefu } from '../../src/server/kefu.js';

const floodRate = Number(process.env.BENCH_FLOOD_RPS ?? 20);
const config = loadConfig({ env: { ...process.env, LOG_LEVEL: 'warn', KEFU_DEMO: 'true' } });
const kefu = await createKefu(config, { logger: false });
const db = kefu.database.db;
const flood = await db.selectFrom('tenants').select('id').where('slug', '=', 'bank-zh').executeTakeFirstOrThrow();
const planId = randomUUID();
await db
  .insertInto('plans')
  .values({
    id: planId,
    slug: `bench-flood-${planId.slice(0, 8)}`,
    name: 'Bench: small plan',
    limits: JSON.stringify(planLimitsSchema.parse({ requestsPerSecond: floodRate, burst: floodRate * 2 })),
    prices: JSON.stringify(planPricesSchema.parse({})),
    features: '[]',
  })
  .execute();
await db.updateTable('tenants').set({ plan_id: planId, updated_at: new Date() }).where('id', '=', flood.id).execute();
await kefu.bus.publish({ type: 'tenant.updated', tenantId: flood.id });
for (const slug of ['shop-zh', 'bank-zh']) {
  const tenant = await db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
  await kefu.runtimes.get(tenant.id);
}
const address = await kefu.app.listen({ port: 0, host: '127.0.0.1' });
const key = (slug: string) => kefu.demo.find((tenant) => tenant.slug === slug)!.apiKey;
process.stdout.write(`READY ${address} ${key('shop-zh')} ${key('bank-zh')} ${floodRate}\n`);
const stop = async () => {
  await kefu.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
