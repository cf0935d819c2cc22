import { describe, expect, it } from "vitest";
import { InconsistentMigrationStateError, UnknownRevisionError } from "../src/errors.js";
import {
  ancestorsOf,
  appliedFromHeads,
  buildRevisionGraph,
  currentHeads,
  descendantsOf,
  revisionHistory,
  validateAppliedRevisions,
} from "../src/migrate/revision-graph/index.js";
import { BRANCHED, graphOf, LINEAR, MERGE_THEN_BRANCH, MERGED, THREE_WAY, thrown } from "./support/revision-fixtures.js";

describe("ancestorsOf / descendantsOf", () => {
  const graph = graphOf(...MERGED);

  it("lists what a revision builds on, in canonical order", () => {
    expect(ancestorsOf(graph, ["m1"])).toEqual(["root", "a1", "a2", "b1"]);
    expect(ancestorsOf(graph, ["a2"], { inclusive: true })).toEqual(["root", "a1", "a2"]);
    expect(ancestorsOf(graph, ["root"])).toEqual([]);
    expect(ancestorsOf(graph, ["a2", "b1"])).toEqual(["root", "a1"]);
  });

  it("lists what builds on a revision, in canonical order", () => {
    expect(descendantsOf(graph, ["b1"])).toEqual(["m1", "tail"]);
    expect(descendantsOf(graph, ["a1"], { inclusive: true })).toEqual(["a1", "a2", "m1", "tail"]);
    expect(descendantsOf(graph, ["tail"])).toEqual([]);
  });

  it("rejects unknown ids", () => {
    expect(thrown(UnknownRevisionError, () => ancestorsOf(graph, ["nope"])).revision).toBe("nope");
    thrown(UnknownRevisionError, () => descendantsOf(graph, ["nope"]));
  });
});

describe("currentHeads / appliedFromHeads", () => {
  const graph = graphOf(...MERGE_THEN_BRANCH);

  it("derives the current heads from the applied revisions", () => {
    expect(currentHeads(graph, [])).toEqual([]);
    expect(currentHeads(graph, ["root"])).toEqual(["root"]);
    expect(currentHeads(graph, ["root", "a1", "b1"])).toEqual(["a1", "b1"]);
    expect(currentHeads(graph, ["b1", "root", "a1", "m1"])).toEqual(["m1"]);
    expect(currentHeads(graph, ["root", "a1", "b1", "m1", "c1", "d1"])).toEqual(["c1", "d1"]);
  });

  it("derives the applied revisions from the current heads", () => {
    expect(appliedFromHeads(graph, [])).toEqual([]);
    expect(appliedFromHeads(graph, ["a1", "b1"])).toEqual(["root", "a1", "b1"]);
    expect(appliedFromHeads(graph, ["d1"])).toEqual(["root", "a1", "b1", "m1", "d1"]);
    // a "head" that is an ancestor of another adds nothing
    expect(appliedFromHeads(graph, ["d1", "a1"])).toEqual(["root", "a1", "b1", "m1", "d1"]);
  });

  it("round-trips between heads and applied sets", () => {
    for (const heads of [["root"], ["a1"], ["a1", "b1"], ["m1"], ["c1"], ["c1", "d1"]]) {
      expect(currentHeads(graph, appliedFromHeads(graph, heads))).toEqual(heads);
    }
  });

  it("rejects heads that do not exist", () => {
    const error = thrown(InconsistentMigrationStateError, () => appliedFromHeads(graph, ["c1", "zz", "aa"]));
    expect(error.unknownRevisions).toEqual(["aa", "zz"]);
  });
});

describe("validateAppliedRevisions", () => {
  const graph = graphOf(...LINEAR);

  it("returns a consistent applied set deduplicated in canonical order", () => {
    expect(validateAppliedRevisions(graph, ["r2", "r1", "r2"])).toEqual(["r1", "r2"]);
    expect(validateAppliedRevisions(graph, [])).toEqual([]);
  });

  it("names applied revisions that no longer exist", () => {
    const error = thrown(InconsistentMigrationStateError, () => validateAppliedRevisions(graph, ["r1", "r2", "old2", "old1"]));
    expect(error.code).toBe("INCONSISTENT_MIGRATION_STATE");
    expect(error.unknownRevisions).toEqual(["old1", "old2"]);
    expect(error.unappliedAncestors).toEqual([]);
    expect(error.message).toContain("old1, old2");
  });

  it("names applied revisions whose ancestors are not applied (a revision inserted below applied ones)", () => {
    const error = thrown(InconsistentMigrationStateError, () => validateAppliedRevisions(graph, ["r3", "r4"]));
    expect(error.unknownRevisions).toEqual([]);
    // only the lowest offender is reported, with every unapplied ancestor
    expect(error.unappliedAncestors).toEqual([{ revision: "r3", missing: ["r1", "r2"] }]);
    expect(error.message).toContain("r3 is applied but its ancestor(s) r1, r2 are not");
  });

  it("reports both kinds of problem at once, for every branch", () => {
    const merged = graphOf(...MERGED);
    const error = thrown(InconsistentMigrationStateError, () => validateAppliedRevisions(merged, ["root", "a2", "m1", "x9"]));
    expect(error.unknownRevisions).toEqual(["x9"]);
    expect(error.unappliedAncestors).toEqual([
      { revision: "a2", missing: ["a1"] },
      { revision: "m1", missing: ["a1", "b1"] },
    ]);
  });
});

describe("revisionHistory", () => {
  it("lists revisions from the heads down to the base, each before what it builds on", () => {
    expect(revisionHistory(graphOf(...LINEAR)).map((entry) => entry.id)).toEqual(["r4", "r3", "r2", "r1"]);
    expect(revisionHistory(graphOf(...MERGED)).map((entry) => entry.id)).toEqual(["tail", "m1", "b1", "a2", "a1", "root"]);
    expect(revisionHistory(graphOf(...THREE_WAY)).map((entry) => entry.id)).toEqual(["t1", "m3", "z1", "y2", "y1", "x1", "root"]);
    expect(revisionHistory(buildRevisionGraph([]))).toEqual([]);
  });

  it("keeps each branch together", () => {
    expect(revisionHistory(graphOf(...BRANCHED)).map((entry) => entry.id)).toEqual(["b2", "b1", "a2", "a1", "root"]);
  });

  it("marks heads, bases, branch points and merge points", () => {
    const entries = revisionHistory(graphOf(...MERGE_THEN_BRANCH));
    const markers = Object.fromEntries(
      entries.map((entry) => [
        entry.id,
        [entry.isHead && "head", entry.isBase && "base", entry.isBranchPoint && "branchpoint", entry.isMergePoint && "mergepoint"]
          .filter(Boolean)
          .join(" "),
      ]),
    );
    expect(markers).toEqual({
      d1: "head",
      c1: "head",
      m1: "branchpoint mergepoint",
      b1: "",
      a1: "",
      root: "base branchpoint",
    });
    const merge = entries.find((entry) => entry.id === "m1");
    expect(merge?.downRevisions).toEqual(["a1", "b1"]);
    expect(merge?.nextRevisions).toEqual(["c1", "d1"]);
    expect(merge?.record.message).toBe("revision m1");
  });

  it("marks applied revisions and current heads when given the applied set", () => {
    const entries = revisionHistory(graphOf(...MERGED), { applied: ["root", "a1", "b1"] });
    expect(entries.filter((entry) => entry.isApplied).map((entry) => entry.id)).toEqual(["b1", "a1", "root"]);
    expect(entries.filter((entry) => entry.isCurrent).map((entry) => entry.id)).toEqual(["b1", "a1"]);
    expect(revisionHistory(graphOf(...MERGED)).some((entry) => entry.isApplied || entry.isCurrent)).toBe(false);
  });

  it("validates the applied set it is given", () => {
    thrown(InconsistentMigrationStateError, () => revisionHistory(graphOf(...MERGED), { applied: ["a1"] }));
  });
});
