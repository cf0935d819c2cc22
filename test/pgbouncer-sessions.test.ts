/**
 * Session behaviour through PgBouncer 1.18 in transaction mode (`?pooler=transaction`): the
 * session suites that hold on a server connection for a transaction at a time run here again
 * with every statement going through the pooler. Suites that rely on server-side session state
 * by design (a connection's pid, session-level locks, pg_terminate_backend of a known backend)
 * are not among them. Then the athanor/fastify routes: a request-scoped session, commit,
 * rollback and retry.
 */
import { afterAll, beforeAll } from "vitest";
import { runSuitesOn } from "./support/each-dialect.js";
import { PgBouncerProcess, pgbouncerUnavailable } from "./support/pgbouncer-process.js";

let bouncer: PgBouncerProcess | undefined;
beforeAll(async () => {
  if (!pgbouncerUnavailable) bouncer = await PgBouncerProcess.start({ poolSize: 8 });
});
afterAll(async () => {
  await bouncer?.stop();
});

if (!pgbouncerUnavailable) {
  runSuitesOn(["pgbouncer"], (url) => {
    if (bouncer === undefined) throw new Error("PgBouncer did not start");
    return bouncer.rewrite(url);
  });
  await import("./session-run.test.js");
  await import("./session-nested.test.js");
  await import("./session-open.test.js");
  await import("./session-retry.test.js");
  await import("./session-isolation.test.js");
  await import("./session-first-statement.test.js");
  // athanor/fastify: a request-scoped session, commit, rollback, retry.
  await import("./fastify-plugin.test.js");
  await import("./fastify-retry.test.js");
}
