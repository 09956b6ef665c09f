// The dense LU of I - A computed off the event loop, in a worker thread: at 3,500 sectors it is ~14 G multiply-adds
// (tens of seconds in V8 on a loaded machine), which the request path cannot wait for. One factorization at a time
// per process (a second would only halve the speed of both on a 2-core machine), queued in order of asking.
//
// The worker is built from the source text of the kernels in dense-lu.ts (eval: true): those are self-contained
// functions, so the worker runs exactly the code the tests check, under tsx, vitest or plain node, with no worker file
// of its own to build or to resolve.
import { Worker } from 'node:worker_threads';
import { factorInPlace, identityMinusDense, PANEL, TILE } from './dense-lu.js';

/** Counts for tests and logs: how many factorizations ran in workers, and how they ended. */
export const workerFactorizations = { started: 0, finished: 0, failed: 0 };

export interface FactorizationJob {
  /** The factors (row-major n x n, L below the diagonal, U on and above), when the worker is done. */
  readonly result: Promise<Float64Array>;
  /** The share of the multiply-adds done so far (0 until the worker starts), and when the worker started. */
  progress(): { done: number; startedAt: number | undefined };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const identityMinusDense = ${identityMinusDense.toString()};
const factorInPlace = ${factorInPlace.toString()};
const { n, colStart, rows, values, panel, tile } = workerData;
// In shared memory: the factors then reach the main thread and the solve worker (solve-worker.ts) without a copy.
const a = identityMinusDense(n, colStart, rows, values, new Float64Array(new SharedArrayBuffer(n * n * 8)));
// Progress after each panel, so that a request can tell whether waiting for the factors beats iterating.
const total = n * n * n;
const report = (k) => { const left = n - k; parentPort.postMessage({ done: 1 - (left * left * left) / total }); };
const failedAt = factorInPlace(a, n, panel, tile, report);
parentPort.postMessage({ failedAt, lu: a });
`;

let queue: Promise<unknown> = Promise.resolve();

/** Queues the factorization of I - A for the CSC arrays of A (copied to the worker; the caller keeps its own). */
export function factorInWorker(n: number, colStart: Int32Array, rows: Int32Array, values: Float64Array): FactorizationJob {
  let done = 0;
  let startedAt: number | undefined;
  const result = queue.then(
    () =>
      new Promise<Float64Array>((resolve, reject) => {
        startedAt = performance.now();
        workerFactorizations.started += 1;
        const worker = new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { n, colStart, rows, values, panel: PANEL, tile: TILE },
        });
        // The server can exit while a factorization runs: nothing is lost but the factors.
        worker.unref();
        let settled = false;
        const settle = (outcome: Float64Array | Error) => {
          if (settled) return;
          settled = true;
          if (outcome instanceof Error) {
            workerFactorizations.failed += 1;
            reject(outcome);
          } else {
            workerFactorizations.finished += 1;
            done = 1;
            resolve(outcome);
          }
          void worker.terminate();
        };
        worker.on('message', (message: { done?: number; failedAt?: number; lu?: Float64Array }) => {
          if (message.lu) {
            settle(message.failedAt === -1 ? message.lu : new RangeError(`I - A has no positive pivot in column ${message.failedAt}`));
          } else if (message.done !== undefined) {
            done = message.done;
          }
        });
        worker.on('error', (error) => settle(error));
        worker.on('exit', (code) => settle(new Error(`the factorization worker exited with code ${code}`)));
      }),
  );
  // The next job waits for this one, whatever its outcome.
  queue = result.catch(() => undefined);
  return { result, progress: () => ({ done, startedAt }) };
}
