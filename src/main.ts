// Process entry: environment -> config -> app. SIGTERM/SIGINT drain requests and close pools before exiting.
import { ConfigError, loadConfig } from './config.js';
import { liveOwner, lockedMessage } from './db/data-dir-lock.js';
import { createLogger, errorFields } from './log.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`beacon: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // The embedded database has one owner (db/data-dir-lock.ts). A look at its lock before the rest of Beacon is loaded
  // lets a second `npm start` refuse in a moment instead of after seconds of loading; opening the database takes the
  // lock for real (and refuses in the same words when another process got there in between).
  if (!config.databaseUrl && !config.dataDir.startsWith('memory://')) {
    const owner = liveOwner(config.dataDir);
    if (owner) {
      process.stderr.write(`beacon: failed to start: ${lockedMessage(config.dataDir, owner)}\n`);
      process.exit(1);
    }
  }
  const { createApp } = await import('./app.js');
  const logger = createLogger(config.logLevel, { pretty: config.observability.logPretty });
  const app = createApp(config, { logger });
  const bootStart = performance.now();
  const { url, seedMs } = await app.start();
  logger.info('beacon is listening', {
    url,
    database: config.databaseUrl ? 'postgres' : `embedded (${config.dataDir})`,
    startMs: Math.round(performance.now() - bootStart),
    ...(seedMs !== null ? { seededDemoDataMs: Math.round(seedMs) } : {}),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // The last resort: past the drain deadline, a pool or a connection that will not close must not keep a terminated
    // process alive (an orchestrator would kill it without a word in the logs).
    const hardExitMs = config.shutdownTimeoutMs + 5_000;
    setTimeout(() => {
      logger.error('shutdown did not finish: exiting', { hardExitMs });
      process.exit(1);
    }, hardExitMs).unref();
    app.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error('shutdown failed', errorFields(error));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`beacon: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
