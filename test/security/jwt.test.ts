// JWTs from an external identity provider: verified with jose against a JWKS file (through the server) or a JWKS URL
// (a local HTTP server), with issuer, audience and expiry checked, and the team and role claims mapped to a principal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../src/auth/jwt.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { postgresUp } from '../helpers/services.js';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'beacon';

async function keyPair(kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

function sign(privateKey: CryptoKey, kid: string, claims: Record<string, unknown>, options: { issuer?: string; audience?: string; expiresIn?: string | number } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid })
    .setSubject('user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(privateKey);
}

describe.skipIf(!postgresUp)('JWTs verified against a JWKS file', () => {
  let t: TestApp;
  let signer: { privateKey: CryptoKey; jwk: JWK };
  let stranger: { privateKey: CryptoKey; jwk: JWK };

  beforeAll(async () => {
    signer = await keyPair('k1');
    stranger = await keyPair('k1');
    const dir = mkdtempSync(path.join(tmpdir(), 'beacon-jwks-'));
    const file = path.join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [signer.jwk] }));
    t = await startTestApp({
      database: 'postgres',
      env: { JWT_JWKS_FILE: file, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_TEAM_CLAIM: 'https://beacon/team', JWT_ROLE_CLAIM: 'https://beacon/role' },
    });
  }, 120_000);
  afterAll(() => t?.close());

  const startTraining = 'mutation { startTraining(input: { datasetId: "2", name: "jwt job", algorithm: "XGBoost", taskType: CLASSIFICATION }) { id } }';

  it('lets a writer token write and refuses a reader token (403)', async () => {
    const writer = await sign(signer.privateKey, 'k1', { 'https://beacon/team': 'risk', 'https://beacon/role': 'writer' });
    const wrote = await t.gql(startTraining, undefined, { authorization: `Bearer ${writer}` });
    expect(wrote.body.errors).toBeUndefined();
    const reader = await sign(signer.privateKey, 'k1', { 'https://beacon/team': 'risk' });
    const refused = await t.gql(startTraining, undefined, { authorization: `Bearer ${reader}` });
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses with 401 a token signed by another key, for another audience or issuer, expired, or without a team', async () => {
    const claims = { 'https://beacon/team': 'risk', 'https://beacon/role': 'writer' };
    const bad = [
      await sign(stranger.privateKey, 'k1', claims),
      await sign(signer.privateKey, 'k1', claims, { audience: 'someone-else' }),
      await sign(signer.privateKey, 'k1', claims, { issuer: 'https://evil.example.test/' }),
      await sign(signer.privateKey, 'k1', claims, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      await sign(signer.privateKey, 'k1', { 'https://beacon/role': 'writer' }),
    ];
    for (const token of bad) {
      const response = await t.gql('{ health { ok } }', undefined, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('JWTs verified against a JWKS URL', () => {
  let server: http.Server;
  let url: string;
  let signer: { privateKey: CryptoKey; jwk: JWK };
  let fetches = 0;

  beforeAll(async () => {
    signer = await keyPair('url-key');
    server = http.createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [signer.jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('maps the claims to a principal, fetching the key set once for many tokens', async () => {
    const verifier = new JwtVerifier({ jwksUrl: url, jwksFile: undefined, issuer: ISSUER, audience: AUDIENCE, teamClaim: 'team', roleClaim: 'role' });
    for (let i = 0; i < 3; i += 1) {
      const token = await sign(signer.privateKey, 'url-key', { team: 'growth', role: 'admin' });
      const verified = await verifier.verify(token);
      expect(verified?.principal).toMatchObject({ kind: 'jwt', role: 'admin', team: 'growth', allTeams: false });
    }
    expect(fetches).toBe(1);
    const wrongRole = await sign(signer.privateKey, 'url-key', { team: 'growth', role: 'superuser' });
    expect(await verifier.verify(wrongRole)).toBeUndefined();
  });
});
