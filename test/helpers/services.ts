// Where the real services live in tests, and whether they are up. Under CI (REQUIRE_SERVICES=1) a missing service
// fails the run; on a developer's machine without it, the tests that need it are skipped with the reason printed.
import net from 'node:net';

export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const servicesRequired = process.env.REQUIRE_SERVICES === '1';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the service is up; false (with a printed reason) when it may be skipped; throws under CI. */
export async function serviceAvailable(name: 'PostgreSQL' | 'Redis'): Promise<boolean> {
  const url = name === 'PostgreSQL' ? POSTGRES_ADMIN_URL : REDIS_URL;
  if (await reachable(url)) return true;
  const reason = `${name} is not reachable at ${new URL(url).host}`;
  if (servicesRequired) throw new Error(`${reason}, and REQUIRE_SERVICES=1 requires it`);
  console.warn(`skipping tests that need ${name}: ${reason}`);
  return false;
}

export const postgresUp = await serviceAvailable('PostgreSQL');
export const redisUp = await serviceAvailable('Redis');
