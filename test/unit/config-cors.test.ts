// CORS_ORIGINS (src/config.ts): exact origins or nothing, each checked at startup, with a default per environment.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_CORS_ORIGINS, loadConfig } from '../../src/config.js';
import { createCors } from '../../src/http/cors.js';

describe('CORS_ORIGINS', () => {
  it('allows no origin by default in production and in tests, and the frontend dev servers in development', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).corsOrigins).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'test' }).corsOrigins).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'development' }).corsOrigins).toEqual(DEV_CORS_ORIGINS);
    expect(loadConfig({}).corsOrigins).toContain('http://localhost:3000');
  });

  it('reads a comma-separated list of origins, and none', () => {
    expect(loadConfig({ NODE_ENV: 'production', CORS_ORIGINS: 'https://dash.example.com, http://localhost:8080' }).corsOrigins).toEqual([
      'https://dash.example.com',
      'http://localhost:8080',
    ]);
    expect(loadConfig({ NODE_ENV: 'development', CORS_ORIGINS: 'none' }).corsOrigins).toEqual([]);
  });

  it.each([
    ['a trailing slash', 'https://dash.example.com/', /did you mean "https:\/\/dash\.example\.com"/],
    ['a path', 'https://dash.example.com/app', /did you mean/],
    ['an upper-case host', 'https://Dash.example.com', /did you mean "https:\/\/dash\.example\.com"/],
    ['a default port', 'https://dash.example.com:443', /did you mean "https:\/\/dash\.example\.com"/],
    ['a wildcard', '*', /comma-separated list of origins/],
    ['a host without a scheme', 'dash.example.com', /comma-separated list of origins/],
    ['another scheme', 'ftp://dash.example.com', /comma-separated list of origins/],
    ['an empty entry', 'https://a.example.com,,https://b.example.com', /got ""/],
  ])('refuses %s, naming the variable and the value', (_name, value, message) => {
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/^CORS_ORIGINS must be/);
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(message);
  });
});

describe('CORS headers for the fast lane', () => {
  it('sends nothing at all when no origin is allowed', () => {
    expect(createCors([])).toBeUndefined();
  });

  it('allows exactly the listed origins and exposes the cache headers to them', () => {
    const cors = createCors(['https://dash.example.com'])!;
    const allowed = new Map(cors.headersFor('https://dash.example.com'));
    expect(allowed.get('access-control-allow-origin')).toBe('https://dash.example.com');
    expect(allowed.get('access-control-expose-headers')?.split(', ')).toEqual(expect.arrayContaining(['x-beacon-cache', 'etag', 'age']));
    for (const origin of ['https://dash.example.com.evil.test', 'http://dash.example.com', 'null', undefined]) {
      expect(cors.headersFor(origin)).toEqual([['vary', 'Origin']]);
    }
  });
});
