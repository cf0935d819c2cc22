/** How long one measurement runs and how many callers run it at once. */
export interface MeasureOptions {
  /** Stop after this long (wall clock). */
  readonly durationMillis?: number;
  /** Stop after this many operations in total. */
  readonly iterations?: number;
  /** Callers awaiting operations at the same time. */
  readonly concurrency: number;
}

/** One operation under test; `sequence` numbers the calls of one measurement from 0. */
export type Operation = (sequence: number) => unknown;

/** What one measurement saw. */
export interface Sample {
  readonly opsPerSecond: number;
  /** This process's CPU time (user + system) per operation: the client-side cost, less noisy than throughput on a busy machine. */
  readonly cpuMicrosPerOperation: number;
}

/**
 * Runs `operation` from `concurrency` callers until the time or iteration budget is spent
 * and returns the throughput in operations per second.
 *
 * @example
 * ```ts
 * const opsPerSecond = await measure(() => pool.query("select 1"), { durationMillis: 1_000, concurrency: 32 });
 * ```
 */
export async function measure(operation: Operation, options: MeasureOptions): Promise<number> {
  return (await sample(operation, options)).opsPerSecond;
}

/** {@link measure}, also reporting the CPU time this process spent per operation. */
export async function sample(operation: Operation, options: MeasureOptions): Promise<Sample> {
  if (options.durationMillis === undefined && options.iterations === undefined) throw new Error("measure needs durationMillis or iterations");
  const limit = options.iterations ?? Number.POSITIVE_INFINITY;
  let issued = 0;
  let completed = 0;
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + (options.durationMillis ?? Number.POSITIVE_INFINITY);
  // The clock is read on every call: synchronous operations (better-sqlite3) only ever yield
  // to microtasks, so a timer-set stop flag would never fire.
  const caller = async (): Promise<void> => {
    while (issued < limit && performance.now() < deadline) {
      await operation(issued++);
      completed++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  const elapsedMillis = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    opsPerSecond: (completed * 1_000) / elapsedMillis,
    cpuMicrosPerOperation: completed === 0 ? Number.NaN : (cpu.user + cpu.system) / completed,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Spreads calls over the table's ids in a fixed pseudo-random order, the same for every contender. */
export function idFor(sequence: number, rows: number): number {
  return ((Math.imul(sequence + 1, 0x9e3779b1) >>> 0) % rows) + 1;
}
