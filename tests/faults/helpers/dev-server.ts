import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Connection } from '@temporalio/client';
import { dynamicConfigArgs, sqlitePragmaArgs } from '../../../scripts/temporal-server-settings';
import { searchAttributeCliArgs } from '../../../src/workflows/search-attributes';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface DevServerOptions {
  /** The Temporal CLI binary (global setup exports TEMPORAL_CLI_PATH). */
  cli: string;
  /** SQLite file: the server's whole state, kept across restarts. */
  dbFile: string;
  port: number;
  namespace: string;
  logFile: string;
}

/**
 * A Temporal dev server of the test's own, started the way `npm start` does
 * (SQLite file with our pragmas, our search attributes and server settings),
 * so the test can stop it, by SIGTERM
 * or by SIGKILL, and start it again on the same database.
 */
export class DevServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: DevServerOptions) {}

  get address(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  /** Resolves once the namespace answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.child) throw new Error('dev server already running');
    const { cli, dbFile, port, namespace, logFile } = this.options;
    const out = fs.openSync(logFile, 'a');
    const child = spawn(
      cli,
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--db-filename',
        dbFile,
        ...sqlitePragmaArgs(),
        ...dynamicConfigArgs(),
        '--namespace',
        namespace,
        '--log-level',
        'warn',
        ...searchAttributeCliArgs(),
      ],
      { stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + timeoutMs;
    while (!(await this.answers())) {
      if (child.exitCode !== null) throw new Error(`dev server exited; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`dev server not ready in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    this.child?.kill(signal);
    await this.exited;
    this.child = undefined;
  }

  private async answers(): Promise<boolean> {
    try {
      const connection = await Connection.connect({
        address: this.address,
        connectTimeout: 1_000,
      });
      try {
        await connection.workflowService.describeNamespace({ namespace: this.options.namespace });
        return true;
      } finally {
        await connection.close();
      }
    } catch {
      return false;
    }
  }
}
