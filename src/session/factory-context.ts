import { AsyncLocalStorage } from "node:async_hooks";

/** One factory's value in an async context, linked to the values of the contexts around it. */
interface Slot {
  readonly key: object;
  readonly value: unknown;
  readonly outer: Slot | undefined;
}

/**
 * The one AsyncLocalStorage behind every session factory's current session. On Node 20 each
 * enabled AsyncLocalStorage costs a hook call on every promise the process makes, and stays
 * enabled for the life of the process: a storage per factory made a test suite that creates
 * a factory per test (a sandbox each) slower with every test. Here each factory has a key,
 * and a context holds the factories' values as a short chain, innermost first.
 */
const slots = new AsyncLocalStorage<Slot>();

/**
 * A value bound to the async context for one session factory (and the factories made from
 * it by `withOptions`), as an `AsyncLocalStorage` of its own would be, without the cost.
 *
 * @example
 * ```ts
 * const current = new FactoryContext<SessionCore>();
 * await current.run(core, () => work()); // current.get() is core inside work()
 * ```
 */
export class FactoryContext<T> {
  /** The value `run()` bound for this factory in the current async context. */
  get(): T | undefined {
    for (let slot = slots.getStore(); slot !== undefined; slot = slot.outer) {
      if (slot.key === this) return slot.value as T;
    }
    return undefined;
  }

  /** Runs `fn(...args)` with `value` bound for this factory; other factories' values are kept. */
  run<R, A extends unknown[]>(value: T, fn: (...args: A) => R, ...args: A): R {
    return slots.run({ key: this, value, outer: slots.getStore() }, fn, ...args);
  }
}
