// One AsyncLocalStorage carries every implicit context (request, deadline, field recordings): each slot must behave
// as if it had a storage of its own.
import { describe, expect, it } from 'vitest';
import { contextSlot } from '../../src/common/async-context.js';

const request = contextSlot<string>();
const deadline = contextSlot<number>();

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('async context slots', () => {
  it('keep the other slots when one is set, through awaits and timers', async () => {
    await request.run('req-1', async () => {
      await tick();
      await deadline.run(42, async () => {
        await tick();
        expect(request.get()).toBe('req-1');
        expect(deadline.get()).toBe(42);
        await new Promise<void>((resolve) =>
          setImmediate(() => {
            expect([request.get(), deadline.get()]).toEqual(['req-1', 42]);
            resolve();
          }),
        );
      });
      // Leaving the inner run restores the outer frame: the deadline was never set here.
      expect(deadline.get()).toBeUndefined();
      expect(request.get()).toBe('req-1');
    });
    expect(request.get()).toBeUndefined();
  });

  it('give concurrent runs their own values, and let an inner run shadow an outer one', async () => {
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        request.run(id, async () => {
          await tick();
          const inner = await request.run(`${id}-inner`, async () => {
            await tick();
            return request.get();
          });
          return [request.get(), inner];
        }),
      ),
    );
    expect(seen).toEqual([
      ['a', 'a-inner'],
      ['b', 'b-inner'],
      ['c', 'c-inner'],
    ]);
  });
});
