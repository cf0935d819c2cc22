import type { BenchTarget } from "../contender.js";

/** Messages from the bench to an HTTP contender's server process. */
export type HttpWorkerRequest =
  | { readonly type: "start"; readonly contender: string; readonly target: BenchTarget }
  /** Starts counting the server's CPU time (after the warm-up). */
  | { readonly type: "mark" }
  /** The server's CPU time since the mark. */
  | { readonly type: "cpu" }
  | { readonly type: "close" };

/** Answers from the server process: one per request. */
export type HttpWorkerReply =
  | { readonly type: "listening"; readonly url: string }
  | { readonly type: "marked" }
  | { readonly type: "cpu"; readonly micros: number }
  | { readonly type: "closed" }
  | { readonly type: "error"; readonly message: string };
