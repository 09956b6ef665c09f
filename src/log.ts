// Structured logging: pino, one JSON object per line on stdout (pretty-printed in development), each line written on
// behalf of a request carrying its request id. Quiet in tests unless LOG_LEVEL says otherwise.
//
// Callers see a small Logger (message first, fields second) rather than pino itself, so that the rest of the code
// does not depend on the library, and so that one rule holds for every caller: the same warning is written at most
// once a second; the lines it would have written meanwhile are counted and reported on the next one that goes out.
import { createRequire } from 'node:module';
import pino, { type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Whether lines at `level` are written: lets a hot path skip building fields nobody will read. */
  isLevelEnabled?(level: Exclude<LogLevel, 'silent'>): boolean;
}

export interface LoggerOptions {
  /** Human-readable, coloured lines (pino-pretty, a development dependency) instead of JSON. */
  pretty?: boolean;
  /** Where lines go (default: stdout). Tests pass a stream that collects them. */
  destination?: DestinationStream;
  /** Shortest interval between two lines of the same warning, in ms (default 1000). */
  warnIntervalMs?: number;
  now?: () => number;
}

/** Fields that a source adds to every line written while it has some (undefined: none now). */
export type LineFields = () => Record<string, unknown> | undefined;

const lineFieldSources: LineFields[] = [];

/**
 * Adds fields to every line of every logger, such as the id of the request a line is written for: the module that
 * knows the request (observability/request-context.ts) installs its source here, so that this one imports no layer.
 */
export function addLineFields(source: LineFields): void {
  if (!lineFieldSources.includes(source)) lineFieldSources.push(source);
}

function lineFields(): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const source of lineFieldSources) Object.assign(fields, source());
  return fields;
}

/** Distinct warnings remembered for deduplication; past this, the oldest are forgotten. */
const MAX_REMEMBERED_WARNINGS = 1_000;

/**
 * A logger at `level`. The second argument is either options or, as before pino, a function that receives each
 * line (kept for callers that capture output that way).
 */
export function createLogger(level: LogLevel, options: LoggerOptions | ((line: string) => void) = {}): Logger {
  const settings: LoggerOptions = typeof options === 'function' ? { destination: { write: options } } : options;
  const { destination, fallbackNote } = resolveDestination(settings);
  const base = pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Every line written while serving a request names it (addLineFields); lines from start-up or background work
      // have none.
      mixin: lineFields,
    },
    destination,
  );
  if (fallbackNote) base.warn({ msg: fallbackNote });
  const warnings = new WarningGate(settings.warnIntervalMs ?? 1_000, settings.now ?? Date.now);
  // The message goes into the object, first: pino would otherwise write it after the fields, and a reader (or a
  // grep) looking for `"msg":"..."` early on the line would miss it.
  const write = (at: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    if (!base.isLevelEnabled(at)) return;
    base[at](fields ? { msg: message, ...fields } : { msg: message });
  };
  const warn = write('warn');
  return {
    debug: write('debug'),
    info: write('info'),
    warn(message, fields) {
      if (!base.isLevelEnabled('warn')) return;
      const suppressed = warnings.admit(message);
      if (suppressed === undefined) return;
      warn(message, suppressed > 0 ? { ...fields, suppressedSinceLastLog: suppressed } : fields);
    },
    error: write('error'),
    isLevelEnabled: (at) => base.isLevelEnabled(at),
  };
}

function resolveDestination(settings: LoggerOptions): { destination: DestinationStream; fallbackNote?: string } {
  if (settings.destination) return { destination: settings.destination };
  if (settings.pretty) {
    try {
      // Loaded only when asked for: pino-pretty is a development dependency, absent from production installs.
      const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
      return { destination: pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }) };
    } catch {
      return {
        destination: pino.destination({ dest: 1, sync: true }),
        fallbackNote: 'LOG_PRETTY is set but pino-pretty is not installed (it is a development dependency): logging JSON',
      };
    }
  }
  // Synchronous: a line written just before process.exit() is not lost, and our volume does not need buffering.
  return { destination: pino.destination({ dest: 1, sync: true }) };
}

/**
 * Admits a warning at most once per interval, by message. Returns how many were held back since the last one
 * admitted, or undefined to hold this one back. Messages are constant strings at every call site, so the message
 * is the warning's identity; the fields (an address, a count) vary between occurrences of the same warning.
 */
export class WarningGate {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  admit(message: string): number | undefined {
    const now = this.now();
    const seen = this.last.get(message);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed += 1;
      return undefined;
    }
    const suppressed = seen?.suppressed ?? 0;
    // Re-inserted so that Map order is least recently admitted first, for forgetting.
    this.last.delete(message);
    this.last.set(message, { at: now, suppressed: 0 });
    if (this.last.size > MAX_REMEMBERED_WARNINGS) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    return suppressed;
  }
}

export function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { err: { name: error.name, message: error.message, stack: error.stack } } : { err: String(error) };
}
