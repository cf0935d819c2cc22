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

  constructor(leakMillis: number, onLeak: (ageMillis: number, stack: string) => void) {
    this.#leakMillis = leakMillis;
    this.#onLeak = onLeak;
  }

  get size(): number {
    return this.#records.size;
  }

  /**
   * Whether a checkout should record its stack. Capturing one costs several microseconds,
   * a tenth of a point query's client time, so it is done when it can matter: always with
   * leak detection on, otherwise when the pool is under pressure (`pressure`), which is
   * when a timeout report about the oldest checkouts can come.
   */
  wantsSite(pressure: boolean): boolean {
    return this.#leakMillis > 0 || pressure;
  }

  /**
   * Records a checkout. Pass the `site` captured with {@link captureSite} when the caller asked
   * for the connection: captured here, after the pool's awaits, the stack holds only the
   * pool's and Kysely's frames, not the code that wanted the connection.
   */
  checkout(connection: C, site: { stack?: string } = captureSite()): void {
    this.#records.set(connection, { since: performance.now(), site, reported: false });
    if (this.#leakMillis > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => this.#scan(), Math.max(10, Math.floor(this.#leakMillis / 4)));
      this.#timer.unref();
    }
  }

  /** Forgets a checkout; false when the connection was not checked out (a double release). */
  checkin(connection: C): boolean {
    if (!this.#records.delete(connection)) return false;
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
    const oldest = [...this.#records.values()].sort((a, b) => a.since - b.since).slice(0, count);
    if (oldest.length === 0) return "no connection is checked out";
    return oldest
      .map((record, index) => `  #${index + 1} held ${Math.round(now - record.since)} ms, checked out at:\n${formatSite(record.site)}`)
      .join("\n");
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#records.clear();
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
  if (site.stack === undefined) return "    (stack not recorded: the pool was not under pressure then; set pool.leakDetectionMillis to record every checkout)";
  const frames = (site.stack ?? "").split("\n").slice(1);
  const userFrames = frames.filter(
    (line) => !line.includes(SOURCE_ROOT) && !line.includes("node_modules/kysely") && !line.includes("node:internal"),
  );
  const shown = (userFrames.length > 0 ? userFrames : frames).slice(0, 8);
  return shown.map((line) => `    ${line.trim()}`).join("\n");
}
