import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEngine } from "../src/engine/create-engine.js";
import { createSessionFactory } from "../src/session/index.js";

// Every session factory keeps its current session in one shared AsyncLocalStorage, keyed by
// the factory: on Node 20 each enabled AsyncLocalStorage adds a hook call to every promise the
// process makes, for the life of the process, so a storage per factory made a suite that opens
// a sandbox (a factory) per test slower with every test.
describe("session factories' async context", () => {
  const engine = createEngine("sqlite::memory:");
  afterEach(() => vi.restoreAllMocks());

  it("a hundred factories bind their sessions through the same AsyncLocalStorage", async () => {
    const storages = new Set<AsyncLocalStorage<unknown>>();
    const run = AsyncLocalStorage.prototype.run;
    vi.spyOn(AsyncLocalStorage.prototype, "run").mockImplementation(function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
      storages.add(this);
      return run.apply(this, args);
    });
    for (let index = 0; index < 100; index++) {
      const sessions = createSessionFactory(engine);
      await sessions.run(async () => {});
      await sessions.withCurrent(() => sessions.open(), async () => sessions.current().close());
    }
    expect(storages.size).toBeLessThanOrEqual(3); // the factories' one, and the session core's own
  });

  it("each factory sees only its own current session, nested either way", async () => {
    const first = createSessionFactory(engine);
    const second = createSessionFactory(engine);
    const narrowed = first.withOptions({ isolationLevel: "serializable" });
    await first.run(async (outer) => {
      expect(second.tryCurrent()).toBeUndefined();
      expect(narrowed.current()).toBe(outer); // withOptions shares its factory's context
      await second.run(async (inner) => {
        expect(first.current()).toBe(outer);
        expect(second.current()).toBe(inner);
        await first.withCurrent(() => inner as never, async () => {
          expect(first.current()).toBe(inner);
          expect(second.current()).toBe(inner);
        });
        expect(first.current()).toBe(outer);
      });
      expect(second.tryCurrent()).toBeUndefined();
    });
    expect(first.tryCurrent()).toBeUndefined();
  });
  it("a factory's methods work detached from it (destructured, or handed on as callbacks)", async () => {
    const { run, current, tryCurrent, open, withCurrent, bind, withOptions } = createSessionFactory(engine);
    expect(tryCurrent()).toBeUndefined();
    expect(await run(async (session) => current() === session)).toBe(true);
    const session = open();
    expect(await withCurrent(() => session, async () => current() === session)).toBe(true);
    await session.close();
    expect(await bind(async (_session, n: number) => n + 1)(1)).toBe(2);
    expect(await withOptions({ readOnly: true }).run(async () => 3)).toBe(3);
  });
});
