// The columns of a large batch solved on two threads: half of them in a worker over the same factors (in shared
// memory, so nothing is copied but the answers), half on the calling thread meanwhile. A batch of 100 columns at
// 3,510 sectors is ~820 M multiply-adds; on 2 CPUs two threads take about half the time of one.
//
// Built, like the factorization worker, from the source text of the self-contained kernel in dense-lu.ts.
import { Worker } from 'node:worker_threads';
import { solveUnitsInPlace } from './dense-lu.js';

/** Below this many columns a batch stays on one thread: a message round trip is not worth it. */
export const PARALLEL_MIN_COLUMNS = 8;

/** Batches split between the two threads: what tests count. */
export const parallelSolves = { batches: 0 };

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const solveUnitsInPlace = ${solveUnitsInPlace.toString()};
parentPort.on('message', ({ id, lu, n, cols }) => {
  try {
    const x = solveUnitsInPlace(lu, n, cols);
    parentPort.postMessage({ id, x }, [x.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});
`;

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (x: Float64Array) => void; reject: (error: Error) => void }>();

function solveWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  // Idle between batches; the process may exit whenever.
  started.unref();
  const fail = (error: Error) => {
    if (worker === started) worker = undefined;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  started.on('message', (message: { id: number; x?: Float64Array; error?: string }) => {
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.x) entry.resolve(message.x);
    else entry.reject(new Error(message.error ?? 'the solve worker answered nothing'));
  });
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the solve worker exited with code ${code}`)));
  worker = started;
  return started;
}

/**
 * Columns cols (ascending, distinct) of (I - A)^-1 from factors in shared memory, one Float64Array per column in
 * the order given. Every other column goes to the worker (the forward pass costs more for early columns: alternating
 * shares it evenly); if the worker fails, this thread solves its half too.
 */
export async function solveUnitsOnTwoThreads(lu: Float64Array, n: number, cols: readonly number[]): Promise<Float64Array[]> {
  if (!(lu.buffer instanceof SharedArrayBuffer) || cols.length < PARALLEL_MIN_COLUMNS) return unpack(solveUnitsInPlace(lu, n, cols), n, cols.length);
  const mine = cols.filter((_, r) => r % 2 === 0);
  const theirs = cols.filter((_, r) => r % 2 === 1);
  const id = nextId++;
  const remote = new Promise<Float64Array>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    solveWorker().postMessage({ id, lu, n, cols: theirs });
  });
  // Handled here, so that a failure while this thread computes is not an unhandled rejection.
  const settled = remote.then(
    (x) => x,
    () => undefined,
  );
  const local = unpack(solveUnitsInPlace(lu, n, mine), n, mine.length);
  const packed = await settled;
  const other = packed ? unpack(packed, n, theirs.length) : unpack(solveUnitsInPlace(lu, n, theirs), n, theirs.length);
  if (packed) parallelSolves.batches += 1;
  return cols.map((_, r) => (r % 2 === 0 ? local[r / 2] : other[(r - 1) / 2]));
}

/** k interleaved columns (x[i * k + r]) as k arrays. */
function unpack(packed: Float64Array, n: number, k: number): Float64Array[] {
  const out = Array.from({ length: k }, () => new Float64Array(n));
  for (let i = 0; i < n; i += 1) {
    const base = i * k;
    for (let r = 0; r < k; r += 1) out[r][i] = packed[base + r];
  }
  return out;
}
