import { AsyncLocalStorage } from "node:async_hooks";
import { InvalidReplicaPositionError } from "../../errors.js";

/**
 * The primary's position after this async context's last use of it: a read in the context
 * may go only to a replica that has replayed at least this far. `unknown` when the position
 * could not be read (then only the primary is safe).
 */
export class ReadYourWritesScope {
  position: bigint | undefined;
  unknown = false;

  record(position: bigint): void {
    if (this.position === undefined || position > this.position) this.position = position;
  }
}

/** The read-your-writes scope of the current async context, if any. */
export const readYourWritesContext = new AsyncLocalStorage<ReadYourWritesScope>();

/**
 * Runs `fn` in a read-your-writes scope: the enclosing one when there is one (so nested
 * scopes share what they wrote), else a new one. `after` is a token from {@link formatPosition}
 * (another request's writes): reads in the scope must see at least that position too.
 */
export function runReadingYourWrites<T>(fn: () => T, after?: string): T {
  const since = after === undefined ? undefined : parsePosition(after);
  const outer = readYourWritesContext.getStore();
  const scope = outer ?? new ReadYourWritesScope();
  if (since !== undefined) scope.record(since);
  return outer === undefined ? readYourWritesContext.run(scope, fn) : fn();
}

/** The current scope's position as a token a client can carry to a later request; `undefined` outside a scope or before any use of the primary. */
export function currentPositionToken(): string | undefined {
  const position = readYourWritesContext.getStore()?.position;
  return position === undefined ? undefined : formatPosition(position);
}

export function formatPosition(position: bigint): string {
  return position.toString(16);
}

/** A token of {@link formatPosition}: 1 to 16 lower-case hex digits. */
export function parsePosition(token: string): bigint {
  if (typeof token !== "string" || !/^[0-9a-f]{1,16}$/.test(token)) {
    const shown = typeof token === "string" ? `"${token.slice(0, 40)}"` : typeof token;
    throw new InvalidReplicaPositionError(`readYourWrites: { after } must be a position token from engine.replicas.position() (1 to 16 hex digits), got ${shown}`);
  }
  return BigInt(`0x${token}`);
}
