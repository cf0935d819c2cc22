import { AsyncLocalStorage } from "node:async_hooks";

/** A hook to run after the transaction ends. */
export type SessionHook = () => void | Promise<void>;

/**
 * One `nested()` block: its savepoint, whether a statement in it failed, and the hooks
 * registered inside it (dropped or run when the savepoint rolls back, handed to the
 * parent when it is released).
 */
export class NestedFrame {
  readonly owner: object;
  readonly parent: NestedFrame | undefined;
  readonly savepoint: string;
  readonly depth: number;
  /** The frame active in the async context where this block was opened (any session's). */
  readonly outerContext: NestedFrame | undefined;
  abortedBy: Error | undefined;
  ended = false;
  readonly afterCommit: SessionHook[] = [];
  readonly afterRollback: SessionHook[] = [];

  constructor(owner: object, parent: NestedFrame | undefined, savepoint: string, outerContext: NestedFrame | undefined) {
    this.owner = owner;
    this.parent = parent;
    this.savepoint = savepoint;
    this.depth = parent === undefined ? 1 : parent.depth + 1;
    this.outerContext = outerContext;
  }

  /** True when `frame` is this frame or one of its ancestors. */
  isWithin(frame: NestedFrame): boolean {
    for (let current: NestedFrame | undefined = this; current !== undefined; current = current.parent) {
      if (current === frame) return true;
    }
    return false;
  }
}

/** The nested block whose callback is running in the current async context, if any. */
export const frameContext = new AsyncLocalStorage<NestedFrame>();

/** The innermost frame of `owner` in the current async context. */
export function currentFrameOf(owner: object): NestedFrame | undefined {
  for (let frame = frameContext.getStore(); frame !== undefined; frame = frame.outerContext) {
    if (frame.owner === owner) return frame;
  }
  return undefined;
}
