import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

/** One checked-out connection: when and where it was taken. */
export interface CheckoutRecord {
  readonly since: number;
  /** Holds a captured stack; it is formatted only when a report needs it. */
  readonly site: { stack?: string };
  reported: boolean;
}

const SOURCE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SITE_DEPTH = 16;

/**
 * Remembers when and where each connection was checked out, so a pool timeout can say
 * whether it sees a leak (one old checkout) or load (many young ones), and so leak
 * detection can name the code that never returned its connection.
 */
export class CheckoutTracker<C> {
  readonly #records = new Map<C, CheckoutRecord>();
  readonly #leakMillis: number;
  readonly #onLeak: (ageMillis: number, stack: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #withSite = 0;
  #pressured = 0;

  constructor(leakMillis: number, onLeak: (ageMillis: number, stack: string) => void) {
    this.#leakMillis = leakMillis;
    this.#onLeak = onLeak;
  }

  get size(): number {
    return this.#records.size;
  }

  /**
   * Whether a checkout should record its stack. Capturing one (async frames included) costs
   * as much as a tenth of a pooled query's client time, so: always with leak detection on;
   * otherwise only under pressure (`pressure`: when a timeout report can come), and then
   * whenever no held checkout has a recorded stack (`keepOne`), else one checkout in 8. A pool
   * full of leaked connections thus always holds at least one with the stack of the code that
   * took it. (`keepOne` is off for SQLite's single writer: every writer checkout would qualify.)
   */
  wantsSite(pressure: boolean, keepOne = true): boolean {
    if (this.#leakMillis > 0) return true;
    if (!pressure) return false;
    const sampled = this.#pressured++ % 8 === 0;
    return sampled || (keepOne && this.#withSite === 0);
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
    this.#records.set(connection, { since: performance.now(), site, reported: false });
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
    const now = performance.now();
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
    const now = performance.now();
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

/** The stack of a checkout without Athanor's and Kysely's own frames: the user's code first. */
/** The site of a checkout whose stack was not recorded (see {@link CheckoutTracker.wantsSite}). */
export const NO_SITE: { stack?: string } = Object.freeze({});

export function formatSite(site: { stack?: string }): string {
  if (site === NO_SITE || site.stack === undefined) return "    (stack not recorded: stacks are sampled; set pool.leakDetectionMillis to record every checkout)";
  const frames = (site.stack ?? "").split("\n").slice(1);
  const userFrames = frames.filter(
    (line) => !line.includes(SOURCE_ROOT) && !line.includes("node_modules/kysely") && !line.includes("node:internal"),
  );
  const shown = (userFrames.length > 0 ? userFrames : frames).slice(0, 8);
  return shown.map((line) => `    ${line.trim()}`).join("\n");
}
