import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

/** One checked-out connection: when and where it was taken. */
export interface CheckoutRecord {
  readonly since: number;
  /** Holds a captured stack; it is formatted only when a report needs it. */
  readonly site: { stack?: string };
  /** The tracker's check-in count when this checkout was taken: equal to it now means no connection came back since. */
  readonly checkinsBefore: number;
  reported: boolean;
}

const SOURCE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SITE_DEPTH = 16;
/** At most one sampled stack per this many milliseconds, whatever the load. */
export const SITE_SAMPLE_MILLIS = 100;
/** Held this long, a checkout is no longer taken for ordinary traffic (see {@link CheckoutTracker.wantsSite}). */
export const SITE_STALE_MILLIS = 100;

/**
 * Remembers when and where each connection was checked out, so a pool timeout can say
 * whether it sees a leak (one old checkout) or load (many young ones), and so leak
 * detection can name the code that never returned its connection.
 */
export class CheckoutTracker<C> {
  readonly #records = new Map<C, CheckoutRecord>();
  readonly #leakMillis: number;
  readonly #onLeak: (ageMillis: number, stack: string) => void;
  readonly #clock: (() => number) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #withSite = 0;
  #checkins = 0;
  #sampledAt = Number.NEGATIVE_INFINITY;

  /** `clock` replaces `performance.now()` (milliseconds), for tests. */
  constructor(leakMillis: number, onLeak: (ageMillis: number, stack: string) => void, clock?: () => number) {
    this.#leakMillis = leakMillis;
    this.#onLeak = onLeak;
    this.#clock = clock;
  }

  #now(): number {
    return this.#clock === undefined ? performance.now() : this.#clock();
  }

  get size(): number {
    return this.#records.size;
  }

  /**
   * Whether a checkout should record its stack. Capturing one (async frames included) costs
   * as much as a tenth of a pooled query's client time, so:
   * - with leak detection on, always;
   * - otherwise one checkout per {@link SITE_SAMPLE_MILLIS} (sampled by time, so the cost per
   *   second is bounded however busy the pool is);
   * - and, so that a pool exhausted by leaks always names the code that took one of them, when
   *   this checkout takes the last free connection (`takesLast`), no held checkout has a
   *   stack, and every held one is stale: held for {@link SITE_STALE_MILLIS} or more, or with
   *   no connection returned since it was taken. Under ordinary load (32 callers on 10
   *   connections, each held a millisecond) the held checkouts are young and turn over, so
   *   this costs nothing; once the other connections stop coming back, every checkout of the
   *   last one records its stack until one that records it is held too.
   *
   * SQLite passes `takesLast` false: every checkout of its single writer would qualify.
   */
  wantsSite(takesLast: boolean): boolean {
    if (this.#leakMillis > 0) return true;
    const now = this.#now();
    if (now - this.#sampledAt >= SITE_SAMPLE_MILLIS) {
      this.#sampledAt = now;
      return true;
    }
    return takesLast && this.#withSite === 0 && this.#heldAreStale(now);
  }

  #heldAreStale(now: number): boolean {
    // Oldest first: under load the first record is young and has seen check-ins, and ends the loop.
    for (const record of this.#records.values()) {
      if (now - record.since < SITE_STALE_MILLIS && record.checkinsBefore !== this.#checkins) return false;
    }
    return true;
  }

  /**
   * Records a checkout. Pass the `site` captured with {@link captureSite} when the caller asked
   * for the connection: captured here, after the pool's awaits, the stack holds only the
   * pool's and Kysely's frames, not the code that wanted the connection.
   */
  checkout(connection: C, site: { stack?: string } = captureSite()): void {
    // Compared by identity: reading `.stack` would format the captured frames (slow) now.
    const previous = this.#records.get(connection);
    if (previous !== undefined && previous.site !== NO_SITE) this.#withSite--;
    // Deleted first so that the map's order stays the checkouts' order (oldest first).
    if (previous !== undefined) this.#records.delete(connection);
    this.#records.set(connection, { since: this.#now(), site, checkinsBefore: this.#checkins, reported: false });
    if (site !== NO_SITE) this.#withSite++;
    if (this.#leakMillis > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => this.#scan(), Math.max(10, Math.floor(this.#leakMillis / 4)));
      this.#timer.unref();
    }
  }

  /** Forgets a checkout; false when the connection was not checked out (a double release). */
  checkin(connection: C): boolean {
    const record = this.#records.get(connection);
    if (record === undefined) return false;
    this.#records.delete(connection);
    this.#checkins++;
    if (record.site !== NO_SITE) this.#withSite--;
    if (this.#records.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    return true;
  }

  /** Forgets every checkout and returns the connections, for a forced shutdown. */
  drain(): C[] {
    const connections = [...this.#records.keys()];
    this.stop();
    return connections;
  }

  /** Human-readable lines for the `count` oldest checkouts: age and acquisition site. */
  describeOldest(count: number): string {
    const now = this.#now();
    const byAge = [...this.#records.values()].sort((a, b) => a.since - b.since);
    if (byAge.length === 0) return "no connection is checked out";
    const shown = byAge.slice(0, count);
    // Stacks are sampled (see wantsSite): name the oldest checkout that has one too.
    const oldestWithSite = byAge.find((record) => record.site !== NO_SITE);
    if (oldestWithSite !== undefined && !shown.includes(oldestWithSite)) shown.push(oldestWithSite);
    return shown
      .map((record, index) => `  #${index + 1} held ${Math.round(now - record.since)} ms, checked out at:\n${formatSite(record.site)}`)
      .join("\n");
  }


  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#records.clear();
    this.#withSite = 0;
  }

  #scan(): void {
    const now = this.#now();
    for (const record of this.#records.values()) {
      const age = now - record.since;
      if (!record.reported && age >= this.#leakMillis) {
        record.reported = true;
        this.#onLeak(Math.round(age), formatSite(record.site));
      }
    }
  }
}

/** Captures the current stack cheaply: frames are formatted only when `.stack` is read. */
export function captureSite(): { stack?: string } {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = SITE_DEPTH;
  Error.captureStackTrace(holder, captureSite);
  Error.stackTraceLimit = limit;
  return holder;
}

/** The site of a checkout whose stack was not recorded (see {@link CheckoutTracker.wantsSite}). */
export const NO_SITE: { stack?: string } = Object.freeze({});

/** The stack of a checkout without Athanor's and Kysely's own frames: the user's code first. */
export function formatSite(site: { stack?: string }): string {
  if (site === NO_SITE || site.stack === undefined) return "    (stack not recorded: stacks are sampled; set pool.leakDetectionMillis to record every checkout)";
  const frames = (site.stack ?? "").split("\n").slice(1);
  const userFrames = frames.filter(
    (line) => !line.includes(SOURCE_ROOT) && !line.includes("node_modules/kysely") && !line.includes("node:internal"),
  );
  const shown = (userFrames.length > 0 ? userFrames : frames).slice(0, 8);
  return shown.map((line) => `    ${line.trim()}`).join("\n");
}
