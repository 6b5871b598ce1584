import { StringDecoder } from 'node:string_decoder';
import WebSocket from 'ws';
import { loadConfig } from '../config/index.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import { readDataDirOwner, type DataDirOwner } from '../store/data-dir-lock.js';

/**
 * One embedded database, one owner: while `kefu serve` owns the data directory, a CLI command
 * that uses it does not open the database a second time. It asks the server to run it instead,
 * over the server's local control socket (loopback only, authenticated by the secret in the
 * owner's lock file, which only the data directory's user can read), and relays input and output.
 */

/** Commands that read or write the data directory. */
export const DATA_COMMANDS: ReadonlySet<string> = new Set([
  'backup',
  'migrate',
  'import',
  'export',
  'tenant',
  'agent',
  'key',
  'operator',
  'chat',
  'kb',
  'report',
]);
/** How long to wait for a server that is starting to start listening. */
const STARTING_WAIT_MS = 120_000;

/** Runs the command in the owning server and returns its exit code, or null to run it here. */
export async function delegateToOwningServer(args: string[]): Promise<number | null> {
  if (!DATA_COMMANDS.has(args[0] ?? '') || args.includes('--help') || args.includes('-h')) return null;
  let config;
  try {
    config = loadConfig();
  } catch {
    return null; // the command reports the configuration error itself
  }
  if (config.storage.databaseUrl) return null; // PostgreSQL has room for many processes
  const dataDir = config.storage.dataDir;
  let owner = readDataDirOwner(dataDir);
  if (!owner) return null;
  if (owner.kind === 'cli') {
    throw new KefuError(
      ErrorCodes.dataDirBusy,
      `${dataDir} is in use by ${owner.command} (pid ${owner.pid}). Run this again when it has finished.`,
    );
  }
  const deadline = Date.now() + STARTING_WAIT_MS;
  while (!owner.url || !owner.controlToken) {
    if (Date.now() > deadline) {
      throw new KefuError(
        ErrorCodes.dataDirBusy,
        `${dataDir} is in use by kefu serve (pid ${owner.pid}), which has not started listening. Try again when it has, or stop it.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = readDataDirOwner(dataDir);
    if (!next) return null;
    owner = next;
  }
  if (process.stderr.isTTY)
    process.stderr.write(
      `kefu: ${dataDir} belongs to the running server (pid ${owner.pid}, ${owner.url}); running this there.\n`,
    );
  return runOnServer(owner, args);
}

/** A frame's text: `ws` hands over one Buffer by default; the other shapes come with another binaryType. */
function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function runOnServer(owner: DataDirOwner, args: string[]): Promise<number> {
  const url = `${owner.url!.replace(/^http/, 'ws')}/local/v1/cli`;
  return new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let exitCode: number | null = null;
    const forwardsInput = args[0] === 'chat';
    const decoder = new StringDecoder('utf8');
    const onData = (chunk: Buffer) => socket.send(JSON.stringify({ type: 'stdin', data: decoder.write(chunk) }));
    const onEnd = () => {
      const rest = decoder.end();
      if (rest) socket.send(JSON.stringify({ type: 'stdin', data: rest }));
      socket.send(JSON.stringify({ type: 'stdin.end' }));
    };
    const stopInput = () => {
      if (!forwardsInput) return;
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
    };
    socket.on('open', () => {
      socket.send(
        JSON.stringify({
          type: 'run',
          token: owner.controlToken,
          args,
          cwd: process.cwd(),
          stdinIsTTY: Boolean(process.stdin.isTTY),
        }),
      );
      if (forwardsInput) {
        process.stdin.on('data', onData);
        process.stdin.on('end', onEnd);
      }
    });
    socket.on('message', (data) => {
      let frame: { type?: string; data?: string; code?: number };
      try {
        frame = JSON.parse(frameText(data)) as typeof frame;
      } catch {
        return;
      }
      if (frame.type === 'stdout' && typeof frame.data === 'string') process.stdout.write(frame.data);
      else if (frame.type === 'stderr' && typeof frame.data === 'string') process.stderr.write(frame.data);
      else if (frame.type === 'exit') {
        exitCode = typeof frame.code === 'number' ? frame.code : 1;
        socket.close();
      }
    });
    socket.on('error', (error) => {
      stopInput();
      reject(
        new KefuError(
          ErrorCodes.dataDirBusy,
          `${owner.command} (pid ${owner.pid}) owns the data directory but did not answer at ${owner.url}: ${error.message}. Stop it, or try again.`,
        ),
      );
    });
    socket.on('close', (code, reason) => {
      stopInput();
      if (exitCode !== null) resolve(exitCode);
      else
        reject(
          new KefuError(
            ErrorCodes.dataDirBusy,
            `the running server ended the command early (${code}${reason.length ? ` ${reason.toString()}` : ''})`,
          ),
        );
    });
  });
}
