/**
 * The primary's positions as the replica checks saw them, with when: a replica's lag is how
 * long ago the primary first passed the position the replica has replayed. This measures lag
 * in time without trusting clocks, and without `pg_last_xact_replay_timestamp()`'s flaw (on
 * an idle primary it grows although the replica is caught up). Resolution: one check interval.
 */
export class PositionHistory {
  readonly #samples: Array<{ readonly position: bigint; readonly at: number }> = [];
  readonly #keepMillis: number;

  /** @param keepMillis how long samples are kept: a replica further behind reports at least this. */
  constructor(keepMillis: number) {
    this.#keepMillis = keepMillis;
  }

  get latest(): bigint | undefined {
    return this.#samples.at(-1)?.position;
  }

  add(position: bigint, at: number): void {
    const last = this.#samples.at(-1);
    if (last === undefined || position > last.position) this.#samples.push({ position, at });
    // One sample older than the horizon stays, so a replica behind all the others still measures from it.
    while (this.#samples.length > 2 && this.#samples[1]!.at < at - this.#keepMillis) this.#samples.shift();
  }

  /** Milliseconds since the primary first went past `replayed` (0 when `replayed` is at or past the latest sample). */
  lagMillis(replayed: bigint, now: number): number {
    const firstAhead = this.#samples.find((sample) => sample.position > replayed);
    return firstAhead === undefined ? 0 : Math.max(0, now - firstAhead.at);
  }
}
