import type { BenchTarget } from "./contender.js";
import type { Sample } from "./harness.js";

/** Messages from the bench to a contender's process. */
export type WorkerRequest =
  | { readonly type: "open"; readonly contender: string; readonly target: BenchTarget }
  /** With `profile`, the measurement runs under V8's CPU profiler and the profile is written to that path. */
  | { readonly type: "measure"; readonly scenario: string; readonly seconds: number; readonly profile?: string }
  | { readonly type: "close" };

/** Answers from a contender's process: one per request. */
export type WorkerReply =
  /** `operations`: the scenarios' operations the contender takes part in. */
  | { readonly type: "opened"; readonly operations: readonly string[] }
  | { readonly type: "measured"; readonly sample: Sample | undefined }
  | { readonly type: "closed" }
  | { readonly type: "error"; readonly message: string };
