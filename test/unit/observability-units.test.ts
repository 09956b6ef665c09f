// The small rules of observability, without an app: request ids, operation names and their bounded labels, the
// logger (request id on every line, a warning at most once a second), request outcomes, and the health checker
// (parallel checks, each with its own budget, the report reused for a while).
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/log.js';
import { cacheCheck, HealthChecker, overallStatus, redisCheck, type HealthCheck } from '../../src/observability/health.js';
import { outcomeOf } from '../../src/observability/index.js';
import { OperationLabels, OperationNamer, soleOperationName } from '../../src/observability/operations.js';
import { requestIdFrom, runInRequest } from '../../src/observability/request-context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it("keeps a client's printable id of up to 128 characters", () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('x'.repeat(128))).toBe('x'.repeat(128));
    expect(requestIdFrom(['first', 'second'])).toBe('first');
  });

  it('generates a UUID when the header is missing, empty, too long, or not printable ASCII', () => {
    for (const bad of [undefined, '', 'x'.repeat(129), 'with space', 'line\nbreak', 'tab\t', 'é', '\u0000']) {
      expect(requestIdFrom(bad)).toMatch(UUID);
    }
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});

describe('operation names', () => {
  it('takes the name of the only operation of a document', () => {
    expect(soleOperationName('query Datasets { datasets { nodes { id } } }')).toBe('Datasets');
    expect(soleOperationName('mutation Rename($id: ID!) { updateDataset(id: $id, input: {}) { id } }')).toBe('Rename');
    expect(soleOperationName('# a comment\nfragment F on Query { health { ok } }\nquery WithFragment { ...F }')).toBe('WithFragment');
    expect(soleOperationName('query Defaults($f: DatasetFilter = { name: "x" }) @live { a }')).toBe('Defaults');
  });

  it('is (anonymous) for a shorthand, an unnamed or several operations, or text that does not lex', () => {
    expect(soleOperationName('{ health { ok } }')).toBe('(anonymous)');
    expect(soleOperationName('query { health { ok } }')).toBe('(anonymous)');
    expect(soleOperationName('query A { a } query B { b }')).toBe('(anonymous)');
    expect(soleOperationName('query A { a } { b }')).toBe('(anonymous)');
    expect(soleOperationName('query "unterminated')).toBe('(anonymous)');
  });

  it('prefers operationName, and refuses one that is not a GraphQL name', () => {
    const namer = new OperationNamer();
    expect(namer.nameOf({ query: 'query A { a } query B { b }', operationName: 'B' })).toBe('B');
    expect(namer.nameOf({ query: '{ a }', operationName: 'bad name"} injected' })).toBe('(invalid)');
    expect(namer.nameOf({ query: 'query Only { a }' })).toBe('Only');
    expect(namer.nameOf(undefined)).toBe('(anonymous)');
    expect(namer.nameOf([{ query: 'query Batched { a }' }])).toBe('(anonymous)');
  });

  it('caps the distinct labels and folds the rest into (other)', () => {
    const labels = new OperationLabels(3);
    expect(['A', 'B', 'C', 'D', 'A', 'E', 'C'].map((name) => labels.label(name))).toEqual(['A', 'B', 'C', '(other)', 'A', '(other)', 'C']);
  });
});

describe('logger', () => {
  function capture(level: 'debug' | 'info' | 'warn' = 'debug', now?: () => number): { logger: Logger; lines: Array<Record<string, unknown>> } {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger(level, { destination: { write: (line: string) => void lines.push(JSON.parse(line)) }, ...(now ? { now } : {}) });
    return { logger, lines };
  }

  it('writes JSON lines with level, time and message first, then the fields', () => {
    const { logger, lines } = capture();
    logger.info('beacon is listening', { url: 'http://127.0.0.1:4000/graphql' });
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'beacon is listening', url: 'http://127.0.0.1:4000/graphql' });
    expect(Object.keys(lines[0]!).indexOf('msg')).toBeLessThan(Object.keys(lines[0]!).indexOf('url'));
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('names the request on every line written on its behalf, even after an await', async () => {
    const { logger, lines } = capture();
    await runInRequest({ requestId: 'req-7' }, async () => {
      logger.debug('before');
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.warn('after');
    });
    logger.info('outside');
    expect(lines.map((line) => [line.msg, line.requestId])).toEqual([
      ['before', 'req-7'],
      ['after', 'req-7'],
      ['outside', undefined],
    ]);
  });

  it('writes the same warning at most once a second, then says how many it held back', () => {
    const clock = { now: 0 };
    const { logger, lines } = capture('debug', () => clock.now);
    for (let i = 0; i < 5; i += 1) logger.warn('redis command failed', { attempt: i });
    logger.warn('another warning');
    clock.now = 999;
    logger.warn('redis command failed');
    clock.now = 1_000;
    logger.warn('redis command failed', { attempt: 9 });
    expect(lines.map((line) => [line.msg, line.attempt, line.suppressedSinceLastLog])).toEqual([
      ['redis command failed', 0, undefined],
      ['another warning', undefined, undefined],
      ['redis command failed', 9, 5],
    ]);
  });

  it('respects the level, and silent writes nothing', () => {
    const { logger, lines } = capture('warn');
    logger.debug('no');
    logger.info('no');
    logger.error('yes');
    expect(lines.map((line) => line.msg)).toEqual(['yes']);
    expect(logger.isLevelEnabled?.('debug')).toBe(false);
    const silent = capture('silent' as 'warn');
    silent.logger.error('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('still accepts a line-writing function, as before pino', () => {
    const written: string[] = [];
    createLogger('info', (line) => written.push(line)).info('hello');
    expect(JSON.parse(written[0]!)).toMatchObject({ level: 'info', msg: 'hello' });
  });
});

describe('request outcomes', () => {
  it('tells server errors from client errors from success', () => {
    expect(outcomeOf(200, [])).toBe('success');
    expect(outcomeOf(200, undefined)).toBe('success');
    expect(outcomeOf(304, undefined)).toBe('success');
    expect(outcomeOf(200, ['NOT_FOUND'])).toBe('client_error');
    expect(outcomeOf(400, undefined)).toBe('client_error');
    expect(outcomeOf(429, ['RATE_LIMITED'])).toBe('client_error');
    expect(outcomeOf(200, ['NOT_FOUND', 'SERVICE_UNAVAILABLE'])).toBe('server_error');
    expect(outcomeOf(504, ['TIMEOUT'])).toBe('server_error');
    expect(outcomeOf(500, undefined)).toBe('server_error');
  });
});

describe('health checker', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const check = (name: string, critical: boolean, run: HealthCheck['run']): HealthCheck => ({ name, critical, run });

  it('runs the checks in parallel, each within its own budget', async () => {
    const checker = new HealthChecker(
      [
        check('database', true, async () => (await sleep(30), { status: 'OK' })),
        check('redis', false, () => new Promise(() => {})), // never answers
        check('cache', false, async () => (await sleep(30), { status: 'OK', detail: 'L1 only' })),
      ],
      { timeoutMs: 100, cacheMs: 0 },
    );
    const started = performance.now();
    const report = await checker.check();
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(400); // one budget, not the sum of three
    expect(report.status).toBe('DEGRADED');
    expect(report.dependencies.map((d) => [d.name, d.status, d.ok, d.error])).toEqual([
      ['database', 'OK', true, null],
      ['redis', 'DOWN', false, 'no answer within 100 ms'],
      ['cache', 'OK', true, null],
    ]);
    expect(report.dependencies[0]!.latencyMs).toBeGreaterThanOrEqual(25);
  });

  it('is DOWN when a critical check fails or throws, DEGRADED for the others', async () => {
    const failing = new HealthChecker([check('database', true, () => Promise.reject(new Error('password authentication failed for user "x"')))], {
      timeoutMs: 100,
      cacheMs: 0,
    });
    const report = await failing.check();
    expect(report.status).toBe('DOWN');
    // The driver's words (users, hosts) never reach the report.
    expect(report.dependencies[0]).toMatchObject({ status: 'DOWN', error: 'unreachable' });
    expect(overallStatus([{ status: 'OK', critical: true }, { status: 'DOWN', critical: false }])).toBe('DEGRADED');
    expect(overallStatus([{ status: 'OK', critical: true }, { status: 'OK', critical: false }])).toBe('OK');
  });

  it('reuses a report for cacheMs, and shares one round of checks among concurrent callers', async () => {
    let runs = 0;
    const clock = { now: 0 };
    const checker = new HealthChecker([check('database', true, async () => (runs += 1, await sleep(10), { status: 'OK' }))], {
      timeoutMs: 100,
      cacheMs: 5_000,
      now: () => clock.now,
    });
    await Promise.all([checker.check(), checker.check(), checker.check()]);
    expect(runs).toBe(1);
    clock.now = 4_999;
    await checker.check();
    expect(runs).toBe(1);
    clock.now = 5_000;
    await checker.check();
    expect(runs).toBe(2);
  });

  it('checks every time when cacheMs is 0', async () => {
    let runs = 0;
    const checker = new HealthChecker([check('database', true, async () => (runs += 1, { status: 'OK' }))], { timeoutMs: 100, cacheMs: 0 });
    await Promise.all([checker.check(), checker.check()]);
    expect(runs).toBe(2);
  });

  it('never waits on Redis: the link state now, and the last background PING', async () => {
    const view = (state: string) => () => ({ enabled: true, redis: { configured: true, state, subscribed: true, pendingReplay: 0 } });
    // A "Redis" that accepts connections and never answers: a PING to it takes the whole budget.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `redis://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      expect(await redisCheck(undefined, view('off'), { timeoutMs: 800, pingIntervalMs: 1_000 }).run()).toMatchObject({ status: 'OK', detail: 'not configured' });
      // Link down: DOWN at once, no I/O.
      const down = redisCheck(url, view('reconnecting'), { timeoutMs: 800, pingIntervalMs: 1_000 });
      expect(await down.run()).toMatchObject({ status: 'DOWN', error: 'unreachable', detail: 'cache link reconnecting' });
      // Link ready (as the cache sees it) but Redis silent: the check answers at once from what it knows (OK, no
      // latency yet) while the PING runs in the background; once the PING has timed out, it says DEGRADED.
      const check = redisCheck(url, view('ready'), { timeoutMs: 800, pingIntervalMs: 1_000 });
      const started = performance.now();
      expect(await check.run()).toMatchObject({ status: 'OK', latencyMs: null });
      expect(performance.now() - started).toBeLessThan(400);
      await new Promise((resolve) => setTimeout(resolve, 900));
      expect(await check.run()).toMatchObject({ status: 'DEGRADED', detail: 'cache link ready, but the last PING got no answer within 800 ms' });
      // Stopping does not wait out a PING in flight.
      const again = redisCheck(url, view('ready'), { timeoutMs: 5_000, pingIntervalMs: 1_000 });
      await again.run();
      const closing = performance.now();
      await again.close!();
      expect(performance.now() - closing).toBeLessThan(1_000);
    } finally {
      silent.close();
    }
  });

  it('reports the cache DEGRADED when Redis is configured but its link is down', async () => {
    const view = (state: string, subscribed = true) => () => ({ enabled: true, redis: { configured: true, state, subscribed, pendingReplay: 0 } });
    expect(await cacheCheck(view('reconnecting')).run()).toMatchObject({ status: 'DEGRADED', detail: 'Redis link reconnecting: serving from L1 only' });
    expect(await cacheCheck(view('ready', false)).run()).toMatchObject({ status: 'DEGRADED' });
    expect(await cacheCheck(view('ready')).run()).toMatchObject({ status: 'OK', detail: 'L1 + L2 (Redis)' });
    expect(await cacheCheck(() => ({ enabled: false, redis: { configured: false, state: 'off', subscribed: false, pendingReplay: 0 } })).run()).toMatchObject({ status: 'OK' });
  });
});

describe('configuration', () => {
  it('has the documented defaults, with quiet logs and no health cache in tests', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const production = loadConfig({ NODE_ENV: 'production' });
    expect(production.logLevel).toBe('info');
    expect(production.observability).toEqual({
      logPretty: false,
      healthCacheMs: 5_000,
      healthTimeoutMs: 1_000,
      windowMs: 300_000,
      bucketMs: 10_000,
      maxOperations: 200,
      alerts: { hitRateBelow: 0.7, p95AboveMs: 1_000, errorRateAbove: 0.05, minSamples: 20 },
    });
    const test = loadConfig({ NODE_ENV: 'test' });
    expect(test.logLevel).toBe('silent');
    expect(test.observability.healthCacheMs).toBe(0);
    expect(test.observability.healthTimeoutMs).toBe(10_000);
    expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(loadConfig({ ALERT_HIT_RATE_BELOW: '0.85', ALERT_P95_ABOVE_MS: '250.5', LOG_PRETTY: 'true' }).observability).toMatchObject({
      logPretty: true,
      alerts: { hitRateBelow: 0.85, p95AboveMs: 250.5 },
    });
  });

  it('refuses a bad value, naming the variable', async () => {
    const { loadConfig } = await import('../../src/config.js');
    expect(() => loadConfig({ ALERT_HIT_RATE_BELOW: '70%' })).toThrow('ALERT_HIT_RATE_BELOW must be a number from 0 to 1, got "70%"');
    expect(() => loadConfig({ ALERT_ERROR_RATE_ABOVE: '2' })).toThrow(/ALERT_ERROR_RATE_ABOVE/);
    expect(() => loadConfig({ PERFORMANCE_WINDOW_SECONDS: '60', PERFORMANCE_BUCKET_SECONDS: '120' })).toThrow(/PERFORMANCE_BUCKET_SECONDS must not exceed/);
    expect(() => loadConfig({ HEALTH_CACHE_MS: '-1' })).toThrow(/HEALTH_CACHE_MS/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY must be true, false or a comma-separated list/);
    expect(() => loadConfig({ TRUST_PROXY: 'loopback,,10.0.0.1' })).toThrow(/TRUST_PROXY has an empty entry/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '10' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });

  it('reads TRUST_PROXY as no proxy, every proxy, or a list of addresses and ranges', async () => {
    const { loadConfig } = await import('../../src/config.js');
    expect(loadConfig({}).limits.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).limits.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).limits.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8 ,fd00::1' }).limits.trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
  });
});
