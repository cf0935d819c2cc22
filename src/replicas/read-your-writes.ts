import { AsyncLocalStorage } from "node:async_hooks";

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

/** Runs `fn` in a read-your-writes scope: the enclosing one when there is one (so nested scopes share what they wrote), else a new one. */
export function runReadingYourWrites<T>(fn: () => T): T {
  const outer = readYourWritesContext.getStore();
  return outer === undefined ? readYourWritesContext.run(new ReadYourWritesScope(), fn) : fn();
}
