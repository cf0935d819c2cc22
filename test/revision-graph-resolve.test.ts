import { describe, expect, it } from "vitest";
import {
  AmbiguousRevisionError,
  InvalidMigrationTargetError,
  MultipleHeadsError,
  UnknownRevisionError,
} from "../src/errors.js";
import {
  buildRevisionGraph,
  formatMigrationTarget,
  parseMigrationTarget,
  resolveRevision,
  resolveTarget,
} from "../src/migrate/revision-graph/index.js";
import { BRANCHED, graphOf, LINEAR, MERGED, thrown } from "./support/revision-fixtures.js";

describe("parseMigrationTarget", () => {
  it.each([
    ["head", { kind: "head" }],
    ["heads", { kind: "heads" }],
    ["base", { kind: "base" }],
    ["ae1027a6", { kind: "revision", ref: "ae1027a6" }],
    ["+1", { kind: "relative", steps: 1 }],
    ["-3", { kind: "relative", steps: -3 }],
    ["+012", { kind: "relative", steps: 12 }],
    ["ae10+2", { kind: "anchored", ref: "ae10", steps: 2 }],
    ["ae10-1", { kind: "anchored", ref: "ae10", steps: -1 }],
    ["head-1", { kind: "anchored", ref: "head", steps: -1 }],
    ["base+2", { kind: "anchored", ref: "base", steps: 2 }],
  ])("parses %j", (text, expected) => {
    expect(parseMigrationTarget(text)).toEqual(expected);
  });

  it.each(["", "+0", "-0", "head+0", "+", "1+", "+-1", "--1", " head", "head ", "a-b", "a1+b", "+1.5", "héad", "a1;drop"])(
    "rejects %j with reason syntax",
    (text) => {
      const error = thrown(InvalidMigrationTargetError, () => parseMigrationTarget(text));
      expect(error.code).toBe("INVALID_MIGRATION_TARGET");
      expect(error.reason).toBe("syntax");
      expect(error.target).toBe(text);
    },
  );

  it("renders every parsed target back to its text", () => {
    for (const text of ["head", "heads", "base", "ae1027a6", "+1", "-3", "ae10+2", "ae10-1", "head-1", "base+2"]) {
      expect(formatMigrationTarget(parseMigrationTarget(text))).toBe(text);
    }
  });
});

describe("resolveRevision", () => {
  const graph = graphOf("abcd1111", "abcd2222:abcd1111", "abce3333:abcd2222", "f00d:abce3333", "f00dface:f00d");

  it("resolves a full id", () => {
    expect(resolveRevision(graph, "abcd2222")).toBe("abcd2222");
  });

  it("resolves a unique prefix", () => {
    expect(resolveRevision(graph, "abce")).toBe("abce3333");
    expect(resolveRevision(graph, "abcd1")).toBe("abcd1111");
    expect(resolveRevision(graph, "f00df")).toBe("f00dface");
  });

  it("prefers an exact id over a longer id it is a prefix of", () => {
    expect(resolveRevision(graph, "f00d")).toBe("f00d");
  });

  it("rejects an ambiguous prefix, listing every candidate", () => {
    const error = thrown(AmbiguousRevisionError, () => resolveRevision(graph, "abcd"));
    expect(error.code).toBe("AMBIGUOUS_REVISION");
    expect(error.prefix).toBe("abcd");
    expect(error.candidates).toEqual(["abcd1111", "abcd2222"]);
    expect(error.message).toContain("abcd1111, abcd2222");
  });

  it("rejects unknown revisions and prefixes shorter than four characters", () => {
    const unknown = thrown(UnknownRevisionError, () => resolveRevision(graph, "beef"));
    expect(unknown.code).toBe("UNKNOWN_REVISION");
    expect(unknown.revision).toBe("beef");
    const short = thrown(UnknownRevisionError, () => resolveRevision(graph, "abe"));
    expect(short.message).toContain("at least 4 characters");
    expect(() => resolveRevision(graph, "f00")).toThrow(UnknownRevisionError);
  });

  it("resolves head when there is one head", () => {
    expect(resolveRevision(graph, "head")).toBe("f00dface");
  });

  it("rejects head when there are several heads, naming them", () => {
    const error = thrown(MultipleHeadsError, () => resolveRevision(graphOf(...BRANCHED), "head"));
    expect(error.code).toBe("MULTIPLE_HEADS");
    expect(error.heads).toEqual(["a2", "b2"]);
    expect(error.message).toContain("a2, b2");
  });

  it("rejects head when there are no revisions", () => {
    thrown(UnknownRevisionError, () => resolveRevision(buildRevisionGraph([]), "head"));
  });

  it("walks up and down from a revision, a prefix, head and base", () => {
    const linear = graphOf(...LINEAR);
    expect(resolveRevision(linear, "r1+2")).toBe("r3");
    expect(resolveRevision(linear, "r4-3")).toBe("r1");
    expect(resolveRevision(linear, "head-1")).toBe("r3");
    expect(resolveRevision(linear, "base+1")).toBe("r1");
    expect(resolveRevision(graph, "abce+1")).toBe("f00d");
    expect(resolveRevision(graph, "abce-2")).toBe("abcd1111");
  });

  it("rejects walks past the head or below the base", () => {
    const linear = graphOf(...LINEAR);
    const past = thrown(InvalidMigrationTargetError, () => resolveRevision(linear, "r3+2"));
    expect(past.reason).toBe("out-of-range");
    expect(past.message).toContain("head r4");
    expect(thrown(InvalidMigrationTargetError, () => resolveRevision(linear, "r2-3")).reason).toBe("out-of-range");
    // one step below r1 is base, which is a state, not a revision
    expect(thrown(InvalidMigrationTargetError, () => resolveRevision(linear, "r1-1")).reason).toBe("out-of-range");
    expect(thrown(InvalidMigrationTargetError, () => resolveRevision(linear, "base-1")).reason).toBe("out-of-range");
  });

  it("rejects walks up through a branch point or down through a merge, naming the choices", () => {
    const merged = graphOf(...MERGED);
    const branch = thrown(InvalidMigrationTargetError, () => resolveRevision(merged, "root+1"));
    expect(branch.reason).toBe("ambiguous-step");
    expect(branch.revisions).toEqual(["a1", "b1"]);
    const merge = thrown(InvalidMigrationTargetError, () => resolveRevision(merged, "tail-2"));
    expect(merge.reason).toBe("ambiguous-step");
    expect(merge.revisions).toEqual(["a2", "b1"]);
    expect(resolveRevision(merged, "tail-1")).toBe("m1");
    expect(resolveRevision(merged, "a2+1")).toBe("m1");
    expect(resolveRevision(merged, "b1+2")).toBe("tail");
  });

  it("rejects base+1 when there are several bases", () => {
    const error = thrown(InvalidMigrationTargetError, () => resolveRevision(graphOf("p1", "q1", "j1:p1,q1"), "base+1"));
    expect(error.reason).toBe("ambiguous-step");
    expect(error.revisions).toEqual(["p1", "q1"]);
  });

  it("rejects references that name no single revision", () => {
    for (const ref of ["base", "heads", "+1", "-1", "heads-1"]) {
      expect(() => resolveRevision(graph, ref), ref).toThrow(InvalidMigrationTargetError);
    }
  });

  it("resolves a prefix used as an anchor, and rejects an ambiguous one", () => {
    expect(resolveRevision(graph, "abcd2+1")).toBe("abce3333");
    thrown(AmbiguousRevisionError, () => resolveRevision(graph, "abcd+1"));
  });
});

describe("resolveTarget", () => {
  it("resolves absolute targets to the revisions that define the state", () => {
    const branched = graphOf(...BRANCHED);
    expect(resolveTarget(branched, "base")).toEqual([]);
    expect(resolveTarget(branched, "heads")).toEqual(["a2", "b2"]);
    expect(resolveTarget(branched, "a1")).toEqual(["a1"]);
    expect(resolveTarget(branched, "b2-1")).toEqual(["b1"]);
    expect(resolveTarget(branched, "a1-2")).toEqual([]);
    expect(resolveTarget(branched, { kind: "revision", ref: "b2" })).toEqual(["b2"]);
    expect(resolveTarget(graphOf(...LINEAR), "head")).toEqual(["r4"]);
    expect(resolveTarget(buildRevisionGraph([]), "head")).toEqual([]);
    expect(resolveTarget(buildRevisionGraph([]), "heads")).toEqual([]);
  });

  it("rejects head with several heads and relative targets", () => {
    const branched = graphOf(...BRANCHED);
    expect(thrown(MultipleHeadsError, () => resolveTarget(branched, "head")).heads).toEqual(["a2", "b2"]);
    const relative = thrown(InvalidMigrationTargetError, () => resolveTarget(branched, "+1"));
    expect(relative.message).toContain("relative");
    expect(thrown(InvalidMigrationTargetError, () => resolveTarget(branched, { kind: "relative", steps: -2 })).target).toBe("-2");
  });
});
