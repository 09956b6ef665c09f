// A TCP proxy in front of a real server, to make it fail on demand without touching the server itself:
//   down()      closes every connection and stops listening (clients get ECONNREFUSED),
//   blackhole() keeps accepting connections but forwards nothing in either direction (clients hang),
//   up()        listens again on the same port and forwards normally.
import net from 'node:net';

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private mode: 'forward' | 'blackhole' = 'forward';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A started proxy in front of a PostgreSQL database, and the connection string that goes through it. */
  static async toDatabase(databaseUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
    const target = new URL(databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.up();
    const proxied = new URL(databaseUrl);
    proxied.port = String(proxy.port);
    return { proxy, url: proxied.toString() };
  }

  async up(): Promise<void> {
    this.mode = 'forward';
    if (this.server) return;
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Refuses new connections and cuts the open ones. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections (new and open ones stay open) but lets no byte through. */
  blackhole(): void {
    this.mode = 'blackhole';
    for (const socket of this.sockets) socket.pause();
  }

  get connections(): number {
    return this.sockets.size;
  }

  private accept(client: net.Socket): void {
    this.track(client);
    if (this.mode === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
