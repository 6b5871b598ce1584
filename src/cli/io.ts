import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Database } from '../store/database.js';
import type { Kefu } from '../server/kefu.js';

/**
 * Where a CLI command reads and writes. In a terminal that is the process's own streams; when a
 * running server executes the command for a CLI on the same machine (src/cli/delegate.ts), it is
 * that CLI's socket, and the command uses the server's open database instead of opening its own.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: Readable;
  stdinIsTTY: boolean;
  /** The caller's working directory, when it is not this process's (relative paths resolve against it). */
  cwd?: string;
  /** The running server, when the command runs inside it. */
  kefu?: Kefu;
  /** Set by a command that fails without throwing (like process.exitCode). */
  exitCode?: number;
}

const storage = new AsyncLocalStorage<CliIo>();

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  get stdin() {
    return process.stdin;
  },
  get stdinIsTTY() {
    return Boolean(process.stdin.isTTY);
  },
};

export function cliIo(): CliIo {
  return storage.getStore() ?? processIo;
}

export function runWithCliIo<T>(io: CliIo, work: () => Promise<T>): Promise<T> {
  return storage.run(io, work);
}

/** The running server's database, when this command runs inside the server. */
export function serverDatabase(): Database | undefined {
  return storage.getStore()?.kefu?.database;
}

export function print(line = ''): void {
  cliIo().stdout(`${line}\n`);
}

export function printError(line: string): void {
  cliIo().stderr(`${line}\n`);
}

/** Marks the command as failed without throwing (the exit code of the CLI process). */
export function setExitCode(code: number): void {
  const io = storage.getStore();
  if (io) io.exitCode = code;
  else process.exitCode = code;
}

/** A path argument as the caller meant it: relative to the caller's directory when the command runs in the server. */
export function callerPath(value: string): string {
  const cwd = storage.getStore()?.cwd;
  return cwd ? path.resolve(cwd, value) : value;
}
