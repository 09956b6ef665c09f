// The load balancer of docker-compose.yml (nginx, round robin) on loopback: a tiny HTTP proxy that sends each request
// to the next instance in turn, and says which one answered (x-upstream), so a test knows where each request went.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const index = next++ % upstreams.length;
    const target = new URL(request.url ?? '/', upstreams[index]);
    const upstream = http.request(
      target,
      { method: request.method, headers: { ...request.headers, host: target.host, 'x-forwarded-for': request.socket.remoteAddress ?? '' }, agent },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, { ...reply.headers, 'x-upstream': String(index) });
        reply.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
