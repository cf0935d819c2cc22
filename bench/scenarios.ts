import type { ContenderInstance } from "./contender.js";

/** One row group of the table: an operation and how many callers run it at once. */
export interface Scenario {
  readonly name: string;
  readonly operation: "pointSelect" | "writeTransaction" | "transactionalSelect" | "join" | "bulkInsert";
  readonly concurrency: number;
}

/** Concurrent callers in the concurrent scenarios (over pools of `poolSize` connections). */
export const CONCURRENT_CALLERS = 32;

export const scenarios: readonly Scenario[] = [
  { name: "point select, sequential", operation: "pointSelect", concurrency: 1 },
  { name: `point select, ${CONCURRENT_CALLERS} concurrent`, operation: "pointSelect", concurrency: CONCURRENT_CALLERS },
  { name: "write transaction, sequential", operation: "writeTransaction", concurrency: 1 },
  { name: `write transaction, ${CONCURRENT_CALLERS} concurrent`, operation: "writeTransaction", concurrency: CONCURRENT_CALLERS },
  { name: "session point select, sequential", operation: "transactionalSelect", concurrency: 1 },
  { name: `session point select, ${CONCURRENT_CALLERS} concurrent`, operation: "transactionalSelect", concurrency: CONCURRENT_CALLERS },
  { name: "100-row join, sequential", operation: "join", concurrency: 1 },
  { name: "bulk insert of 10,000 rows", operation: "bulkInsert", concurrency: 1 },
];

export function operationOf(instance: ContenderInstance, scenario: Scenario): ((id: number) => unknown) | undefined {
  return instance[scenario.operation]?.bind(instance);
}
