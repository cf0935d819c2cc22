import type { FastifyInstance, InjectOptions } from "fastify";
import { afterEach, beforeEach } from "vitest";
import type { Sandbox } from "athanor/testing";
import { buildApp, type AppOptions } from "../../src/build-app.js";
import type { DB } from "../../src/schema.js";

/** An answer as the tests read it. */
export interface Answer<T = any> {
  readonly status: number;
  readonly body: T;
}

/** The app of each test, built on the running test's sandbox (seed 001: the factory is a parameter). */
export interface TestApp {
  readonly app: FastifyInstance;
  /** `app.inject`, answering `{ status, body }` with the body parsed. */
  request<T = any>(method: InjectOptions["method"], url: string, payload?: unknown): Promise<Answer<T>>;
}

/**
 * Builds the service's app on the sandbox of every test (beforeEach) and closes it after
 * (afterEach), so each test's requests commit into a sandbox that is rolled back.
 */
export function useTestApp(sandbox: Sandbox<DB>, options: Omit<AppOptions, "sessions"> = {}): TestApp {
  let app: FastifyInstance | undefined;
  beforeEach(() => {
    app = buildApp({ ...options, sessions: sandbox.sessions });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  return {
    get app() {
      if (app === undefined) throw new Error("the app is built in beforeEach");
      return app;
    },
    async request(method, url, payload) {
      const response = await this.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as InjectOptions["payload"] }) });
      return { status: response.statusCode, body: (response.body === "" ? undefined : response.json()) as never };
    },
  };
}
