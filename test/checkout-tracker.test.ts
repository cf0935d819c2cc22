import { describe, expect, it } from "vitest";
import { captureSite, CheckoutTracker, NO_SITE, SITE_SAMPLE_MILLIS, SITE_STALE_MILLIS } from "../src/pool/checkout-tracker.js";

/** A tracker on a clock the test moves. */
function trackerAt(leakMillis = 0): { tracker: CheckoutTracker<object>; clock: { now: number } } {
  const clock = { now: 0 };
  return { tracker: new CheckoutTracker<object>(leakMillis, () => {}, () => clock.now), clock };
}

function checkout(tracker: CheckoutTracker<object>, connection: object, takesLast: boolean): boolean {
  const wanted = tracker.wantsSite(takesLast);
  tracker.checkout(connection, wanted ? captureSite() : NO_SITE);
  return wanted;
}

describe("CheckoutTracker stack sampling", () => {
  it("records one stack per sampling interval without leak detection, every stack with leak detection", () => {
    const { tracker, clock } = trackerAt();
    expect(tracker.wantsSite(false)).toBe(true);
    clock.now = SITE_SAMPLE_MILLIS / 2;
    expect(tracker.wantsSite(false)).toBe(false);
    clock.now = SITE_SAMPLE_MILLIS;
    expect(tracker.wantsSite(false)).toBe(true);
    expect(tracker.wantsSite(false)).toBe(false);

    const watching = trackerAt(1_000);
    expect(Array.from({ length: 20 }, () => watching.tracker.wantsSite(false)).every(Boolean)).toBe(true);
    watching.tracker.stop();
  });

  it("under load (32 callers on 10 connections, each checkout held briefly) records only the time samples", () => {
    const { tracker, clock } = trackerAt();
    const connections = Array.from({ length: 10 }, () => ({}));
    const held: object[] = [];
    let recorded = 0;
    let checkouts = 0;
    // 40,000 checkouts a second for 1 s, each held for the next 9 checkouts: the pool always full.
    for (; clock.now < 1_000; clock.now += 0.025) {
      if (held.length === connections.length) tracker.checkin(held.shift()!);
      const free = connections.find((connection) => !held.includes(connection))!;
      if (checkout(tracker, free, held.length + 1 === connections.length)) recorded++;
      held.push(free);
      checkouts++;
    }
    expect(checkouts).toBeGreaterThan(39_000);
    expect(recorded).toBeLessThanOrEqual(1_000 / SITE_SAMPLE_MILLIS + 1);
  });

  it("a pool exhausted by leaks taken all at once names the code that took one", () => {
    const { tracker } = trackerAt();
    const leaked = Array.from({ length: 40 }, () => ({}));
    const recorded = leaked.filter((connection, index) => checkout(tracker, connection, index === leaked.length - 1)).length;
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThan(leaked.length / 2);
    expect(tracker.describeOldest(3)).toContain("checkout-tracker.test.ts");
  });

  it("a pool exhausted by leaks that accumulated amid traffic names the code that took the last one", () => {
    const { tracker, clock } = trackerAt();
    const [first, second, third] = [{}, {}, {}];
    const traffic = (at: number, takesLast: boolean): boolean => {
      clock.now = at;
      const wanted = checkout(tracker, third, takesLast);
      tracker.checkin(third);
      return wanted;
    };
    expect(traffic(0, false)).toBe(true); // the time sample
    clock.now = 10;
    expect(checkout(tracker, first, false)).toBe(false); // leak 1: not sampled
    expect(traffic(20, false)).toBe(false);
    clock.now = 30;
    expect(checkout(tracker, second, false)).toBe(false); // leak 2: not sampled
    // Traffic on the last connection while the leaks are young: nothing recorded.
    expect(traffic(40, true)).toBe(false);
    expect(traffic(SITE_SAMPLE_MILLIS + 40, true)).toBe(true); // the next time sample, returned
    // The leaks are now stale, so the checkout of the last connection records its stack: leak 3.
    clock.now = SITE_SAMPLE_MILLIS + 41;
    expect(clock.now - 30).toBeGreaterThanOrEqual(SITE_STALE_MILLIS);
    expect(checkout(tracker, third, true)).toBe(true);
    expect(tracker.size).toBe(3);
    expect(tracker.describeOldest(3)).toContain("checkout-tracker.test.ts");
  });

  it("records the checkout of the last connection when none held came back since it was taken, however young", () => {
    const { tracker, clock } = trackerAt();
    const traffic = {};
    expect(checkout(tracker, traffic, false)).toBe(true); // the time sample, returned
    tracker.checkin(traffic);
    clock.now = 1;
    expect(checkout(tracker, {}, false)).toBe(false);
    clock.now = 2;
    expect(checkout(tracker, {}, true)).toBe(true);
    // With a stack held, the next one is not needed.
    expect(tracker.wantsSite(true)).toBe(false);
  });
});
