import { QueryBatcher } from './query.batcher';

/** A batcher whose statement records each batch and answers after `release()` is called. */
function recorder(options: { maxBatch?: number; maxInFlight?: number; key?: (n: number) => string } = {}) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const batcher = new QueryBatcher<number, number>(
    async (items) => {
      batches.push(items);
      await new Promise<void>((resolve) => gates.push(resolve));
      return items.map((n) => (n < 0 ? new Error(`bad ${n}`) : n * 10));
    },
    { maxBatch: options.maxBatch ?? 100, maxInFlight: options.maxInFlight ?? 1, key: options.key },
  );
  const release = async () => {
    while (!gates.length) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { batcher, batches, release };
}

describe('QueryBatcher', () => {
  it('sends what arrives in the same turn as one batch, and what arrives while it runs as the next', async () => {
    const { batcher, batches, release } = recorder();
    const first = [1, 2, 3].map((n) => batcher.add(n));
    await release();
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await Promise.all(first)).toEqual([10, 20, 30]);

    const slow = batcher.add(4);
    await new Promise((r) => setImmediate(r));
    const meanwhile = [5, 6].map((n) => batcher.add(n));
    await release();
    await release();
    expect(await slow).toBe(40);
    expect(await Promise.all(meanwhile)).toEqual([50, 60]);
    expect(batches).toEqual([[1, 2, 3], [4], [5, 6]]);
  });

  it('keeps batches within maxBatch and runs at most maxInFlight at once', async () => {
    const { batcher, batches, release } = recorder({ maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2], [3, 4]]);
    for (let i = 0; i < 3; i++) await release();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('never puts two items with the same key in one batch', async () => {
    const { batcher, batches, release } = recorder({ key: (n) => String(n % 10) });
    const all = [1, 11, 2].map((n) => batcher.add(n));
    await release();
    await release();
    expect(await Promise.all(all)).toEqual([10, 110, 20]);
    expect(batches).toEqual([[1, 2], [11]]);
  });

  it("fails only the items the statement says failed, or all of them when it throws", async () => {
    const { batcher, release } = recorder();
    const results = Promise.allSettled([batcher.add(1), batcher.add(-1)]);
    await release();
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'rejected']);

    const broken = new QueryBatcher<number, number>(async () => Promise.reject(new Error('connection lost')), { maxBatch: 10, maxInFlight: 1 });
    const settled = await Promise.allSettled([broken.add(1), broken.add(2)]);
    expect(settled.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['connection lost', 'connection lost']);
  });
});
