import { describe, expect, it } from "vitest";
import { captureSite, CheckoutTracker, NO_SITE } from "../src/pool/checkout-tracker.js";

function checkoutUnderPressure(tracker: CheckoutTracker<object>, connection: object): boolean {
  const wanted = tracker.wantsSite(true);
  tracker.checkout(connection, wanted ? captureSite() : NO_SITE);
  return wanted;
}

describe("CheckoutTracker stack sampling", () => {
  it("records no stack without pressure or leak detection, every stack with leak detection", () => {
    const quiet = new CheckoutTracker<object>(0, () => {});
    expect(quiet.wantsSite(false)).toBe(false);
    const watching = new CheckoutTracker<object>(1_000, () => {});
    expect(Array.from({ length: 20 }, () => watching.wantsSite(false)).every(Boolean)).toBe(true);
    watching.stop();
  });

  it("samples under pressure, yet a pool full of leaked checkouts always names the code that took one", () => {
    const tracker = new CheckoutTracker<object>(0, () => {});
    const leaked = Array.from({ length: 40 }, () => ({}));
    const recorded = leaked.filter((connection) => checkoutUnderPressure(tracker, connection)).length;
    expect(recorded).toBeGreaterThan(0);
    expect(recorded).toBeLessThan(leaked.length / 2);
    expect(tracker.describeOldest(3)).toContain("checkout-tracker.test.ts");
  });

  it("records again as soon as no held checkout has a stack", () => {
    const tracker = new CheckoutTracker<object>(0, () => {});
    const first = {};
    expect(checkoutUnderPressure(tracker, first)).toBe(true);
    const second = {};
    expect(checkoutUnderPressure(tracker, second)).toBe(false);
    tracker.checkin(first); // the only recorded stack is gone
    const third = {};
    expect(checkoutUnderPressure(tracker, third)).toBe(true);
    expect(tracker.describeOldest(1)).toContain("checkout-tracker.test.ts");
  });
});
