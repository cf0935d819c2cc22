import { describe, expect, it } from "vitest";
import { AsyncMutex } from "../src/pool/async-mutex.js";

describe("AsyncMutex", () => {
  it("grants waiters one at a time, first come first served", async () => {
    const mutex = new AsyncMutex();
    expect(await mutex.acquire()).toBe(true);
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => mutex.acquire(1_000).then((granted) => order.push(granted ? n : -n)));
    expect(mutex.waiting).toBe(3);
    for (let i = 0; i < 3; i++) {
      mutex.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
    expect(mutex.locked).toBe(true);
    mutex.release();
    expect(mutex.locked).toBe(false);
  });

  it("gives up on each waiter at its own deadline and never grants it afterwards", async () => {
    const mutex = new AsyncMutex();
    mutex.tryAcquire();
    const startedAt = performance.now();
    const late = mutex.acquire(400);
    const early = mutex.acquire(50);
    const patient = mutex.acquire();
    expect(await early).toBe(false);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(45);
    expect(mutex.waiting).toBe(2);
    expect(await late).toBe(false);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(395);
    expect(mutex.waiting).toBe(1);
    // The expired waiters are gone: the lock goes to the one still waiting.
    mutex.release();
    expect(await patient).toBe(true);
    mutex.release();
    expect(mutex.locked).toBe(false);
  });

  it("a waiter granted before its deadline is not timed out later", async () => {
    const mutex = new AsyncMutex();
    mutex.tryAcquire();
    const first = mutex.acquire(30);
    mutex.release();
    expect(await first).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(mutex.locked).toBe(true);
    const second = mutex.acquire(30);
    expect(await second).toBe(false);
    mutex.release();
    expect(mutex.locked).toBe(false);
  });
});
