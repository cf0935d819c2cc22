import type { BenchTarget } from "./contender.js";
import type { Sample } from "./harness.js";

/** Messages from the bench to a contender's process. */
export type WorkerRequest =
  | { readonly type: "open"; readonly contender: string; readonly target: BenchTarget }
  | { readonly type: "measure"; readonly scenario: string; readonly seconds: number }
  | { readonly type: "close" };

/** Answers from a contender's process: one per request. */
export type WorkerReply =
  | { readonly type: "opened" }
  | { readonly type: "measured"; readonly sample: Sample | undefined }
  | { readonly type: "closed" }
  | { readonly type: "error"; readonly message: string };
