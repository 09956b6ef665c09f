// `npm run import:io -- --model NAME --file table.csv [--description TEXT] [--format auto|icio|coefficients]
// [--split-regions aggregate|keep]` (entry: import-io-main.ts): the import of assessments/import.ts into the database
// Beacon uses (DATABASE_URL, or the embedded one under DATA_DIR). Bad input or environment exits with code 2 and
// writes nothing; a failure of the database exits with 1.
//
// After the commit, the import reaches the caches of running servers the way updateCoefficients does, when it runs
// with the servers' REDIS_URL and CACHE_NAMESPACE. It invalidates the model's tag (plus the model list's when the
// model is new) on their Redis clock and publishes it on their invalidation channel before it exits, and the servers
// drop the affected entries as the message arrives, as they do after a mutation on another instance (see
// cache/broadcast.ts). When Redis cannot be reached, the import still stands (exit 0), and a warning on stderr names
// the clearCache calls that finish the job. Without REDIS_URL there is nothing to reach: each server caches in its
// own process memory (L1), which another process cannot touch. Such a server keeps serving what it cached before the
// import until it expires (about an hour), unless an admin sends it clearCache(scope: TAG, value: "IoModel:NAME")
// (and "IoModel:list" for a new model) or it is restarted.
import { runImport, type ImportIo } from '../assessments/import.js';
import { broadcastInvalidation } from '../cache/index.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

const processIo: ImportIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** Runs the command; returns the exit code (0 done, 1 database failure, 2 bad arguments, environment or table). */
export async function runImportCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: ImportIo = processIo,
): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`import:io: configuration error: ${error.message}\n`);
    return 2;
  }
  return runImport(argv, io, {
    where: config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${config.dataDir}`,
    open: async () => {
      const database = await openDatabase({
        url: config.databaseUrl,
        poolSize: 1,
        dataDir: config.dataDir,
        // The embedded directory stays locked while the import writes (db/data-dir-lock.ts).
        lockRole: 'import',
        onStaleLock: (message) => io.err(`import:io: ${message}\n`),
      });
      try {
        await migrateToLatest(database.db);
      } catch (error) {
        await database.close();
        throw error;
      }
      return database;
    },
    release: (database) => database.close(),
    invalidate: (tags, model) => invalidateCaches(config, tags, model, io),
  });
}

/**
 * Invalidates, once the import has committed, what updateCoefficients would invalidate for the model (and the model
 * list when the model is new), through the cache's own path: see broadcast.ts. Fails open, saying what to do instead.
 */
async function invalidateCaches(config: Config, tags: readonly string[], model: { name: string; created: boolean }, io: ImportIo): Promise<void> {
  const outcome = await broadcastInvalidation(config.cache, [...tags]);
  switch (outcome.status) {
    case 'invalidated':
      io.out(`invalidated ${tags.join(', ')} in the cache of every server on REDIS_URL (namespace ${config.cache.namespace})\n`);
      return;
    case 'unreachable': {
      const clears = tags.map((tag, k) => `${tags.length > 1 ? `c${k + 1}: ` : ''}clearCache(scope: TAG, value: "${tag}") { invalidated }`);
      io.err(
        `import:io: warning: model ${model.name} was ${model.created ? 'created' : 'replaced'}, but the cache was not invalidated: ` +
          `Redis (REDIS_URL) did not answer (${outcome.reason}).\n` +
          `  Running servers may keep serving what they cached before the import until it expires (about an hour).\n` +
          `  To drop it now, send this as an admin (Authorization: Bearer $ADMIN_TOKEN) to any one server on that Redis ` +
          `(to each server, while they cannot reach Redis either):\n` +
          `    mutation { ${clears.join(' ')} }\n`,
      );
      return;
    }
    // No Redis: no other process's cache can be reached (see the top of this file); the cache off: nothing to do.
    case 'no-redis':
    case 'cache-disabled':
      return;
  }
}
