// The database handle: PostgreSQL through a pg pool when DATABASE_URL is set, otherwise an embedded PostgreSQL
// (PGlite) persisted under DATA_DIR. Both speak the same SQL and run the same migrations.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, sql, type DatabaseConnection, type Dialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock, type LockRole } from './data-dir-lock.js';
import { assertBeforeDeadline } from './deadline.js';
import type { Tables } from './tables.js';

export type DatabaseKind = 'postgres' | 'embedded';

export interface DatabaseOptions {
  /** PostgreSQL connection string; undefined means embedded. */
  url: string | undefined;
  poolSize: number;
  /** Where the embedded database keeps its files; 'memory://' keeps them in memory. */
  dataDir: string;
  /** Longest wait for a pooled connection (pool exhausted, database unreachable); default 5000. */
  poolTimeoutMs?: number;
  /** Called after every SQL statement with its duration (metrics). */
  onQuery?: (durationMs: number, failed: boolean) => void;
  /**
   * Who opens an embedded data directory (data-dir-lock.ts): the process locks it for as long as it is open, and
   * another process that tries gets a DataDirLockedError naming this one. Default 'server'.
   */
  lockRole?: LockRole;
  /** Told when a lock left by a dead process is taken over. */
  onStaleLock?: (message: string) => void;
}

/** The PostgreSQL pool's occupancy, for metrics. */
export interface PoolStats {
  /** Connections open (in use + idle). */
  total: number;
  idle: number;
  /** Requests queued for a connection. */
  waiting: number;
  max: number;
}

export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Kysely<Tables>;
  /** Every SQL statement sent (successful or not) since start: tests count work with it. */
  statementCount(): number;
  /** The pool's occupancy; undefined on the embedded database, which has no pool. */
  poolStats(): PoolStats | undefined;
  ping(): Promise<void>;
  /**
   * From now on, PostgreSQL cancels any statement running longer than `ms` (0: no limit), and ends a session left
   * idle inside a transaction that long. Applied to each pooled connection when it is next used. Set after
   * migrations and seeding, which may legitimately run long. The embedded database has no such limit.
   */
  setStatementTimeout(ms: number): void;
  /** The embedded data directory's lock (undefined for PostgreSQL and in-memory): the server advertises its URL in it. */
  readonly lock: DataDirLock | undefined;
  close(): Promise<void>;
}

// pg returns int8 (count(*), sum of ints) as strings to avoid precision loss; our counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let statements = 0;
  const log = (event: LogEvent) => {
    if (event.level === 'query' || event.level === 'error') statements += 1;
    options.onQuery?.(event.queryDurationMillis, event.level === 'error');
  };
  const statementTimeout = { ms: 0 };
  const pooled: { pool?: pg.Pool } = {};
  const embedded = options.url ? undefined : await openEmbedded(options);
  const { dialect, kind } = options.url
    ? { dialect: postgresDialect(options.url, options.poolSize, options.poolTimeoutMs ?? 5_000, statementTimeout, pooled), kind: 'postgres' as const }
    : { dialect: embedded!.dialect, kind: 'embedded' as const };
  const db = new Kysely<Tables>({ dialect, log });
  return {
    kind,
    db,
    statementCount: () => statements,
    poolStats: () => {
      const { pool } = pooled;
      if (!pool) return undefined;
      return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolSize };
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    setStatementTimeout: (ms) => {
      statementTimeout.ms = Math.max(0, Math.floor(ms));
    },
    lock: embedded?.lock,
    close: async () => {
      try {
        await db.destroy();
      } finally {
        embedded?.lock?.release();
      }
    },
  };
}

/** The embedded database, its directory locked first (in memory there is nothing to share, so no lock). */
async function openEmbedded(options: DatabaseOptions): Promise<{ dialect: Dialect; lock: DataDirLock | undefined }> {
  if (options.dataDir.startsWith('memory://')) return { dialect: await embeddedDialect(options.dataDir), lock: undefined };
  const lock = await acquireDataDirLock(options.dataDir, {
    role: options.lockRole ?? 'server',
    onTakeover: (stale, file) =>
      options.onStaleLock?.(
        stale
          ? `took over the lock ${file} left by pid ${stale.pid} on ${stale.hostname} (${stale.role} since ${stale.since}), which is no longer running`
          : `took over the unreadable lock ${file}`,
      ),
  });
  try {
    return { dialect: await embeddedDialect(options.dataDir), lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function postgresDialect(
  url: string,
  poolSize: number,
  poolTimeoutMs: number,
  statementTimeout: { ms: number },
  pooled: { pool?: pg.Pool },
): Dialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A request waits at most this long for a free connection instead of queueing forever.
    connectionTimeoutMillis: poolTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  pooled.pool = pool;
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a client that loses its connection while checked out: pg emits 'error' on the client itself, where the
  // pool listens only while the client is idle. The statement in flight fails on its own (and is reported), and the
  // pool discards the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  // The statement timeout each connection runs under; a SET (not counted as a statement) brings it up to date.
  const applied = new WeakMap<DatabaseConnection, number>();
  return new PostgresDialect({
    pool,
    onReserveConnection: async (connection) => {
      // An operation past its deadline starts no more statements (db/deadline.ts).
      assertBeforeDeadline();
      const ms = statementTimeout.ms;
      if ((applied.get(connection) ?? 0) === ms) return;
      await connection.executeQuery(
        CompiledQuery.raw(`set statement_timeout = ${ms}; set idle_in_transaction_session_timeout = ${ms}`),
      );
      applied.set(connection, ms);
    },
  });
}

async function embeddedDialect(dataDir: string): Promise<Dialect> {
  // Imported lazily: PGlite loads a WebAssembly build of PostgreSQL that PostgreSQL users never need.
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    location = path.join(dataDir, 'pgdata');
    mkdirSync(location, { recursive: true });
  }
  const client = await PGlite.create(location);
  return new PGliteDialect(client);
}
