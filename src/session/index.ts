export { createSessionFactory, type SessionFactory } from "./session-factory.js";
export { Session } from "./session.js";
export type { SessionState } from "./session-core.js";
export type { SessionHook } from "./nested-frame.js";
export type { SessionOptions, ResolvedSessionOptions, RetryOptions, Propagation } from "./session-options.js";
export type { InsertManyOptions, InsertManyResult } from "./insert-many.js";
