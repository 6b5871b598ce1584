import { loadConfig } from '../../config/index.js';
import { createKefu } from '../../server/kefu.js';
import { print } from '../context.js';

export async function runServe(options: { port?: string; host?: string }): Promise<void> {
  const config = loadConfig({ overrides: { 'server.port': options.port, 'server.host': options.host } });
  const kefu = await createKefu(config);
  const address = await kefu.app.listen({ port: config.server.port, host: config.server.host });
  const base = config.server.publicUrl ?? address.replace('[::1]', 'localhost');
  print('');
  print(`kefu 客服 is running`);
  print(`  API            ${base}/v1`);
  print(`  API reference  ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
  print(`  Operator API   ${base}/operator/v1   (${config.operator.bootstrapKey ? 'KEFU_OPERATOR_KEY is set' : 'key: npx kefu operator key create --name ops'}; docs/reselling.md)`);
  print(`  Widget demo    ${base}/`);
  print(`  Agent console  ${base}/console   (widget script: ${base}/widget.js)`);
  print(`  Health         ${base}/healthz   ${base}/readyz   ${base}/metrics`);
  print(`  Database       ${kefu.database.kind === 'pglite' ? `PGlite in ${config.storage.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`);
  print(`  LLM tier       ${kefu.model ? `${kefu.model.modelId} (${kefu.model.provider})` : 'none configured: turns the light tier cannot answer go to a person (KEFU_LLM_BASE_URL)'}`);
  for (const tenant of kefu.demo) print(`  Demo tenant    ${tenant.slug} (${tenant.name})  API key: ${tenant.apiKey}`);
  for (const tenant of kefu.demo) {
    if (tenant.agent) print(`  Demo agent     ${tenant.slug}  ${tenant.agent.email}  password: ${tenant.agent.password}   (POST ${base}/v1/agent/sessions)`);
  }
  if (kefu.demo.length > 0) {
    const first = kefu.demo[0]!;
    print('');
    print('Try it:');
    print(`  curl -s -X POST ${base}/v1/conversations -H "authorization: Bearer ${first.apiKey}"`);
    print(`  npx kefu chat --tenant ${first.slug}`);
  }
  print('');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`\n${signal}: finishing in-flight turns…`);
    const timer = setTimeout(() => {
      process.stderr.write('kefu: shutdown took too long, exiting\n');
      process.exit(1);
    }, config.server.shutdownGraceMs);
    timer.unref();
    await kefu.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
