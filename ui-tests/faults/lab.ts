/**
 * The Jupyter server a fault spec starts, kills and restarts itself: PyPI's
 * JupyterLab started as the UI tests start it (lab-server.js), on one port,
 * with a root folder and Jupyter state that survive a restart, and a helper
 * to poll.
 */
import { spawn, spawnSync } from 'child_process';
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { REPO, prepareState, serverCommand } from '../lab-server';

/** Where the fault suite keeps its servers' folders and its results. */
export const FAULTS = path.join(REPO, 'build', 'faults');
export const PORT = Number(process.env.RUNS_FAULTS_PORT || 8880);

export const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms));

/** Poll `check` every 100 ms until it returns a truthy value. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  timeout: number,
  what: string
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    }
    await sleep(100);
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * One Jupyter server of a fault spec. `start()` (re)starts it on the same
 * port, root and state; `kill()` sends SIGKILL to its process; `stop()`
 * shuts its kernels down and ends it, whatever state it is in.
 */
export class FaultLab {
  constructor(
    name: string,
    readonly port = PORT
  ) {
    this.work = path.join(FAULTS, name);
    this.root = path.join(this.work, 'root');
    this.base = `http://127.0.0.1:${port}`;
    fs.rmSync(this.work, { recursive: true, force: true });
    fs.mkdirSync(this.root, { recursive: true });
  }

  readonly work: string;
  readonly root: string;
  readonly base: string;

  /** The server's process id, while it runs. */
  get pid(): number | null {
    return this._process?.pid ?? null;
  }

  /** Start the server and wait until it answers. */
  async start(): Promise<void> {
    if (await portInUse(this.port)) {
      throw new Error(`port ${this.port} on 127.0.0.1 is in use`);
    }
    const log = fs.openSync(path.join(this.work, 'server.log'), 'a');
    const state = path.join(this.work, 'jupyter');
    prepareState(state);
    const { command, args, env } = serverCommand({
      port: this.port,
      root: this.root,
      state
    });
    const server = spawn(command, args, { stdio: ['ignore', log, log], env });
    fs.closeSync(log);
    this._process = server;
    this._exited = new Promise(resolve => server.once('exit', () => resolve()));
    await waitFor(
      async () => {
        if (server.exitCode !== null || server.signalCode !== null) {
          throw new Error(`the Lab server exited; see ${this.work}/server.log`);
        }
        return (await fetch(`${this.base}/api/status`).catch(() => null))?.ok;
      },
      60000,
      'the Lab server to answer'
    );
  }

  /** SIGKILL the server process and wait until it is gone. */
  async kill(): Promise<void> {
    const server = this._process;
    if (!server) {
      return;
    }
    server.kill('SIGKILL');
    await this._exited;
    this._process = null;
  }

  /** Shut the kernels down, stop the server, and end any kernel left over. */
  async stop(): Promise<void> {
    const server = this._process;
    if (server) {
      const kernels = await fetch(`${this.base}/api/kernels`)
        .then(response => response.json())
        .catch(() => []);
      for (const kernel of kernels as { id: string }[]) {
        await fetch(`${this.base}/api/kernels/${kernel.id}`, {
          method: 'DELETE'
        }).catch(() => undefined);
      }
      server.kill('SIGTERM');
      const stopped = await Promise.race([
        this._exited.then(() => true),
        sleep(10000).then(() => false)
      ]);
      if (!stopped) {
        server.kill('SIGKILL');
        await this._exited;
      }
      this._process = null;
    }
    for (const pid of this.kernelPids()) {
      process.kill(pid, 'SIGKILL');
    }
  }

  /**
   * The ipykernel processes started by this lab's servers: their connection
   * file lies in this lab's Jupyter runtime folder.
   */
  kernelPids(kernelId = ''): number[] {
    const runtime = path.join(this.work, 'jupyter', 'runtime');
    const found = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf-8' });
    return found.stdout
      .split('\n')
      .filter(
        line =>
          line.includes('ipykernel') &&
          line.includes(runtime) &&
          line.includes(`kernel-${kernelId}`)
      )
      .map(line => Number(line.trim().split(/\s+/)[0]));
  }

  private _process: ChildProcess | null = null;
  private _exited: Promise<void> = Promise.resolve();
}
