/**
 * A TCP proxy between the browser and a fault spec's Jupyter server, to cut
 * the network without touching the server: `down()` stops listening and
 * destroys every open connection (new ones are refused, the kernel
 * websockets drop), `up()` listens again.
 */
import * as net from 'net';

export class TcpProxy {
  /**
   * Forward connections to 127.0.0.1:`port` to 127.0.0.1:`target`.
   */
  constructor(
    readonly port: number,
    readonly target: number
  ) {
    this.base = `http://127.0.0.1:${port}`;
  }

  /** The proxy's URL: what the page opens. */
  readonly base: string;

  /** How many connections were cut by `down()`, in all. */
  get cut(): number {
    return this._cut;
  }

  /** Whether the proxy listens. */
  get isUp(): boolean {
    return this._server !== null;
  }

  /** Listen on the proxy's port (again). */
  async up(): Promise<void> {
    if (this._server) {
      return;
    }
    const server = net.createServer(client => this._forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this._server = server;
  }

  /**
   * Stop listening and destroy every open connection, both ways, as a lost
   * network would end them.
   */
  async down(): Promise<void> {
    const server = this._server;
    if (!server) {
      return;
    }
    this._server = null;
    const closed = new Promise<void>(resolve => server.close(() => resolve()));
    for (const socket of this._sockets) {
      socket.destroy();
      this._cut += 1;
    }
    this._sockets.clear();
    await closed;
  }

  private _forward(client: net.Socket): void {
    const upstream = net.connect(this.target, '127.0.0.1');
    this._sockets.add(client);
    this._sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this._sockets.delete(client);
      this._sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private _cut = 0;
  private _server: net.Server | null = null;
  private readonly _sockets = new Set<net.Socket>();
}
