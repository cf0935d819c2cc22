/**
 * The same behaviour with `postgres.pipeline` on (`?pipeline=2`): the suites whose statements
 * run on `engine.db` outside a transaction — values, constraint errors, relations, paging,
 * compiled queries, seeding, engine errors and dispose — run again with those statements
 * written to two pipelined connections, next to the sessions and transactions that keep
 * pooled connections. Same values, same error fields, same types as on the pool.
 *
 * Left out, to keep `npm test` short: the suites whose statements never reach a pipelined
 * connection (DDL and the catalog: identifiers, type parameters; what only sessions do:
 * nested blocks, open(), current(), hooks, locks, isolation, misuse). Sessions beside the
 * pipeline stay covered by session-run, session-concurrency, session-retry and insertMany.
 */
import { runSuitesOn } from "./support/each-dialect.js";

runSuitesOn(["pipelined"]);
await import("./value-round-trip.test.js");
await import("./schema-values.test.js");
await import("./schema-behaviour.test.js");
await import("./constraint-errors.test.js");
await import("./relations.test.js");
await import("./query-pagination.test.js");
await import("./prepared-query.test.js");
await import("./schema-seed.test.js");
await import("./engine-errors.test.js");
await import("./engine-dispose.test.js");
await import("./engine-pool-status.test.js");
await import("./session-run.test.js");
await import("./session-concurrency.test.js");
await import("./session-retry.test.js");
await import("./session-insert-many.test.js");
await import("./insert-statements.test.js");
await import("./insert-many-copy.test.js");
await import("./engine-logging.test.js");
await import("./engine-health.test.js");
await import("./engine-stray-transaction.test.js");
await import("./tracing.test.js");
await import("./testing-sandbox.test.js");
await import("./fastify-plugin.test.js");
await import("./fastify-errors.test.js");
