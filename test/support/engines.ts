import { afterEach } from "vitest";
import { createEngine } from "../../src/engine/create-engine.js";
import type { Engine } from "../../src/engine/engine.js";
import type { EngineOptions } from "../../src/engine/engine-options.js";

/**
 * Returns an `open(url, options)` that creates engines disposed after each test, so a
 * failing assertion never leaks connections into the next test.
 */
export function engineFactory(): (url: string, options?: EngineOptions) => Engine {
  const engines: Engine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
  });
  return (url, options) => {
    const engine = createEngine(url, options);
    engines.push(engine);
    return engine;
  };
}

/** A promise with its resolver, for stepping concurrent transactions in a known order. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Resolves with the error a promise rejects with; fails the test when it resolves. Also
 * takes a function, for steps that may throw synchronously (a backend's `MaybePromise` steps).
 */
export async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject, but it resolved");
}
