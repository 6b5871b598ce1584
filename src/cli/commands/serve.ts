import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig } from '../../config/index.js';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { DataDirBusyError, readDataDirOwner } from '../../store/data-dir-lock.js';
import { runCliInServer } from '../main.js';
import { createKefu } from '../../server/kefu.js';
import { print } from '../context.js';

/** Fails at once when the address is taken, before anything opens the data directory. */
async function ensurePortIsFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new KefuError(
          ErrorCodes.configInvalid,
          error.code === 'EADDRINUSE'
            ? `${host}:${port} is already in use by another program. Stop it, or start kefu on another port (PORT=3001 npm start).`
            : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** The address a CLI on this machine reaches the server at (a wildcard bind is reached through loopback). */
function loopbackUrl(address: AddressInfo): string {
  const host =
    address.family === 'IPv6'
      ? address.address === '::'
        ? '::1'
        : address.address
      : address.address === '0.0.0.0'
        ? '127.0.0.1'
        : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

export async function runServe(options: { port?: string; host?: string }): Promise<void> {
  const config = loadConfig({ overrides: { 'server.port': options.port, 'server.host': options.host } });
  if (!config.storage.databaseUrl) {
    const owner = readDataDirOwner(config.storage.dataDir);
    if (owner?.kind === 'server') {
      throw new KefuError(
        ErrorCodes.dataDirBusy,
        `kefu is already running on ${path.resolve(config.storage.dataDir)} (pid ${owner.pid}${owner.url ? `, ${owner.url}` : ''}). ` +
          'Use that one, or stop it first. A second server needs its own data directory (KEFU_DATA_DIR=./data2 PORT=3001 npm start).',
      );
    }
    if (owner) throw new DataDirBusyError(path.resolve(config.storage.dataDir), owner);
  }
  await ensurePortIsFree(config.server.host, config.server.port);
  const controlToken = randomBytes(32).toString('base64url');
  let listening = false;
  const kefu = await createKefu(config, {
    owner: { kind: 'server', command: 'kefu serve' },
    localControl: {
      token: () => (listening ? controlToken : undefined),
      run: (args, io) => runCliInServer(args, { ...io, kefu }),
    },
  });
  let address: string;
  try {
    address = await kefu.app.listen({ port: config.server.port, host: config.server.host });
  } catch (error) {
    await kefu.close().catch(() => undefined);
    throw error;
  }
  listening = true;
  kefu.lock?.update({ url: loopbackUrl(kefu.app.server.address() as AddressInfo), controlToken });
  const base = config.server.publicUrl ?? address.replace('[::1]', 'localhost');
  print('');
  print(`kefu 客服 is running`);
  print(`  API            ${base}/v1`);
  print(`  API reference  ${base}/docs   (OpenAPI: ${base}/openapi.json)`);
  print(
    `  Operator API   ${base}/operator/v1   (${config.operator.bootstrapKey ? 'KEFU_OPERATOR_KEY is set' : 'key: npx kefu operator key create --name ops'}; docs/reselling.md)`,
  );
  print(`  Widget demo    ${base}/`);
  print(`  Agent console  ${base}/console   (widget script: ${base}/widget.js)`);
  const metricsNote =
    config.server.metricsToken !== undefined
      ? `${base}/metrics (bearer KEFU_METRICS_TOKEN)`
      : config.server.metrics === 'public'
        ? `${base}/metrics`
        : 'metrics off (KEFU_METRICS=public or KEFU_METRICS_TOKEN)';
  print(`  Health         ${base}/healthz   ${base}/readyz   ${metricsNote}`);
  print(
    `  Database       ${kefu.database.kind === 'pglite' ? `PGlite in ${config.storage.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
  );
  print(
    `  LLM tier       ${kefu.model ? `${kefu.model.modelId} (${kefu.model.provider})` : 'none configured: turns the light tier cannot answer go to a person (KEFU_LLM_BASE_URL)'}`,
  );
  for (const tenant of kefu.demo) print(`  Demo tenant    ${tenant.slug} (${tenant.name})  API key: ${tenant.apiKey}`);
  for (const tenant of kefu.demo) {
    if (tenant.agent)
      print(
        `  Demo agent     ${tenant.slug}  ${tenant.agent.email}  password: ${tenant.agent.password}   (POST ${base}/v1/agent/sessions)`,
      );
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
