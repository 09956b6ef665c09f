// REDIS_CLUSTER_NODES: validated at start, naming the variable and the bad entry; never together with REDIS_URL.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env });

describe('REDIS_CLUSTER_NODES', () => {
  it('selects cluster mode with its seed nodes, trimmed, and leaves REDIS_URL unset', () => {
    const config = load({ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000, redis://10.0.0.2:7001' });
    expect(config.cache.redisClusterNodes).toEqual(['redis://10.0.0.1:7000', 'redis://10.0.0.2:7001']);
    expect(config.cache.redisUrl).toBeUndefined();
  });

  it('is unset by default, and REDIS_URL keeps single-node mode', () => {
    const config = load({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.cache.redisClusterNodes).toBeUndefined();
    expect(config.cache.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together', () => {
    expect(() => load({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'redis://b:7000' })).toThrow(ConfigError);
    expect(() => load({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'redis://b:7000' })).toThrow(/mutually exclusive/);
  });

  it.each([
    ['http://a:7000', /entry 1 has "http:"/],
    ['redis://a:7000,not a url', /entry 2 does not parse/],
    ['redis://a', /need a host and a port/],
    ['redis://a:7000,rediss://b:7000', /one scheme/],
    ['redis://a:7000,', /entry 2 does not parse/],
  ])('refuses %j, naming the entry', (value, message) => {
    expect(() => load({ REDIS_CLUSTER_NODES: value })).toThrow(message);
  });

  it('never echoes a seed’s password in its error', () => {
    expect(() => load({ REDIS_CLUSTER_NODES: 'redis://user:s3cret@a' })).toThrow(/entry 1/);
    try {
      load({ REDIS_CLUSTER_NODES: 'redis://user:s3cret@a' });
    } catch (error) {
      expect(String(error)).not.toContain('s3cret');
    }
  });
});
