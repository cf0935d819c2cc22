import type { Kysely } from "kysely";
import type { Engine } from "../engine/engine.js";
import { SandboxUnsupportedError } from "../errors.js";
import type { SessionFactory } from "../session/session-factory.js";
import { openSandbox, type Sandbox, type SandboxOptions } from "./sandbox.js";

/** The per-test hooks of a test runner: vitest's, node:test's, jest's and mocha's all fit. */
export interface TestHooks {
  beforeEach(fn: () => Promise<void>): unknown;
  afterEach(fn: () => Promise<void>): unknown;
}

/** An engine, or a function giving it (for engines made in `beforeAll`). */
export type EngineSource<DB> = Engine<DB> | (() => Engine<DB>);

/**
 * A sandbox for every test of the enclosing suite: opened in `beforeEach`, rolled back in
 * `afterEach`. The returned handle reads the running test's sandbox. For tests that run
 * concurrently use {@link sandboxFixture} (vitest's `test.extend`) or `openSandbox` inside
 * the test: one handle cannot serve two running tests, so it refuses to.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, expect, it } from "vitest"; // or "node:test"
 * const sandbox = useSandbox(engine, { beforeEach, afterEach });
 *
 * it("pauses an agent", async () => {
 *   await new AgentService(sandbox.sessions).pause(agentId);
 *   expect(await sandbox.db.selectFrom("agents").select("schedule").executeTakeFirst()).toEqual({ schedule: null });
 * });
 * ```
 */
export function useSandbox<DB>(engine: EngineSource<DB>, hooks: TestHooks, options?: SandboxOptions): Sandbox<DB> {
  let current: Sandbox<DB> | undefined;
  hooks.beforeEach(async () => {
    if (current !== undefined) {
      throw new SandboxUnsupportedError("useSandbox(): a test started while another test's sandbox is open (concurrent tests): use sandboxFixture() or openSandbox() inside each test");
    }
    current = await openSandbox(resolveEngine(engine), options);
  });
  hooks.afterEach(async () => {
    const ending = current;
    current = undefined;
    await ending?.close();
  });
  const active = (): Sandbox<DB> => {
    if (current === undefined) throw new SandboxUnsupportedError("useSandbox(): the sandbox exists only while a test runs (between beforeEach and afterEach)");
    return current;
  };
  return Object.freeze({
    get engine(): Engine<DB> {
      return active().engine;
    },
    get sessions(): SessionFactory<DB> {
      return active().sessions;
    },
    get db(): Kysely<DB> {
      return active().db;
    },
    close: () => active().close(),
    [Symbol.asyncDispose]: () => active().close(),
  });
}

/**
 * A sandbox as a vitest fixture: one per test, concurrent tests included, rolled back when
 * the test ends.
 *
 * @example
 * ```ts
 * import { test as base } from "vitest";
 * const test = base.extend<{ sandbox: Sandbox<DB> }>({ sandbox: sandboxFixture(engine) });
 * test.concurrent("creates a user", async ({ sandbox }) => { … });
 * ```
 */
export function sandboxFixture<DB>(engine: EngineSource<DB>, options?: SandboxOptions): (context: object, use: (sandbox: Sandbox<DB>) => Promise<void>) => Promise<void> {
  // vitest reads a fixture's first parameter and requires a destructuring pattern.
  // eslint-disable-next-line no-empty-pattern
  return async ({}: object, use: (sandbox: Sandbox<DB>) => Promise<void>) => {
    const sandbox = await openSandbox(resolveEngine(engine), options);
    try {
      await use(sandbox);
    } finally {
      await sandbox.close();
    }
  };
}

function resolveEngine<DB>(engine: EngineSource<DB>): Engine<DB> {
  return typeof engine === "function" ? engine() : engine;
}
