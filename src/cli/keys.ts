// The work of `npm run keys` (entry: keys-main.ts). `npm run keys -- create --role writer --team risk [--name "training jobs"]`: prints the new key once (it is
// stored only as a hash); `npm run keys -- revoke <key id or key>`; `npm run keys -- list`. Works on the database the
// server uses (DATABASE_URL, else the embedded one in DATA_DIR). A revocation is published on the cache's
// invalidation channel (REDIS_URL / REDIS_CLUSTER_NODES and CACHE_NAMESPACE as the servers have them), so running
// servers refuse the key at once; where it cannot be published they refuse it within AUTH_CACHE_TTL_SECONDS
// (docs/security.md).
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { broadcastInvalidation } from '../cache/index.js';
import { ApiKeyRepository, checkRole, checkTeam, parseApiKey } from '../auth/api-keys.js';
import { revokedKeyTag } from '../auth/authenticator.js';

export const USAGE = [
  'usage: npm run keys -- create --role reader|writer|admin --team TEAM [--name TEXT]',
  '       npm run keys -- revoke KEY_ID',
  '       npm run keys -- list',
].join('\n');

export interface KeysIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: KeysIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

type Command = { kind: 'create'; role: string; team: string; name: string } | { kind: 'revoke'; id: string } | { kind: 'list' };

/** Returns the exit code: 0 done, 1 database failure or no such key, 2 bad arguments or environment. */
export async function runKeys(argv: string[], env: Record<string, string | undefined> = process.env, io: KeysIo = processIo): Promise<number> {
  let command: Command;
  try {
    command = readCommand(argv);
    if (command.kind === 'create') {
      checkRole(command.role);
      checkTeam(command.team);
    }
  } catch (error) {
    io.err(`keys: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`keys: configuration error: ${error.message}\n`);
    return 2;
  }
  let database: Database | undefined;
  try {
    database = await openDatabase({ url: config.databaseUrl, poolSize: 1, dataDir: config.dataDir });
    await migrateToLatest(database.db);
    const keys = new ApiKeyRepository(database.db);
    switch (command.kind) {
      case 'create': {
        const { key, info } = await keys.create({ role: checkRole(command.role), team: command.team, name: command.name });
        io.err(`created ${info.role} key ${info.id} for team ${info.team}. It is shown once, here; store it now:\n`);
        io.out(`${key}\n`);
        return 0;
      }
      case 'revoke': {
        if (!(await keys.revoke(command.id))) {
          io.err(`keys: no unrevoked key ${JSON.stringify(command.id)}\n`);
          return 1;
        }
        const id = parseApiKey(command.id)?.id ?? command.id;
        const published = await broadcastInvalidation(config.cache, [revokedKeyTag(id)]);
        const ttl = `within AUTH_CACHE_TTL_SECONDS (${config.auth.cacheTtlMs / 1000} s)`;
        if (published.status === 'invalidated') io.out(`revoked ${id}; servers on this Redis refuse it now (a server that missed the message: ${ttl})\n`);
        else if (published.status === 'unreachable') io.out(`revoked ${id}; Redis could not be told (${published.reason}): running servers refuse it ${ttl}\n`);
        else io.out(`revoked ${id}; running servers refuse it ${ttl} (no Redis to tell them sooner)\n`);
        return 0;
      }
      default: {
        for (const info of await keys.list()) {
          const state = info.revokedAt ? `revoked ${info.revokedAt.toISOString()}` : 'active';
          io.out(`${info.id}\t${info.role}\t${info.team}\t${state}\t${info.createdAt.toISOString()}\t${info.name}\n`);
        }
        return 0;
      }
    }
  } catch (error) {
    io.err(`keys: the database failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await database?.close();
  }
}

function readCommand(argv: string[]): Command {
  const [verb, ...rest] = argv;
  if (verb === 'list' && rest.length === 0) return { kind: 'list' };
  if (verb === 'revoke' && rest.length === 1) return { kind: 'revoke', id: rest[0]! };
  if (verb !== 'create') throw new Error(verb ? `unknown command ${JSON.stringify(verb)}` : 'no command');
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i]!;
    const value = rest[i + 1];
    if (!['--role', '--team', '--name'].includes(flag) || value === undefined) throw new Error(`unexpected argument ${JSON.stringify(flag)}`);
    options[flag.slice(2)] = value;
  }
  if (!options.role || !options.team) throw new Error('create needs --role and --team');
  return { kind: 'create', role: options.role, team: options.team, name: options.name ?? '' };
}
