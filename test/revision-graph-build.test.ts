import { describe, expect, it } from "vitest";
import {
  AthanorError,
  DuplicateRevisionError,
  InvalidRevisionError,
  MissingDownRevisionError,
  RevisionCycleError,
} from "../src/errors.js";
import { buildRevisionGraph, type Revision } from "../src/migrate/revision-graph/index.js";
import { BRANCHED, graphOf, LINEAR, MERGE_THEN_BRANCH, MERGED, revisions, THREE_WAY, thrown } from "./support/revision-fixtures.js";

describe("buildRevisionGraph: shape", () => {
  it("describes a linear chain", () => {
    const graph = graphOf(...LINEAR);
    expect(graph.order).toEqual(["r1", "r2", "r3", "r4"]);
    expect(graph.heads).toEqual(["r4"]);
    expect(graph.bases).toEqual(["r1"]);
    expect(graph.branchPoints).toEqual([]);
    expect(graph.mergePoints).toEqual([]);
    expect(graph.nodes.get("r2")).toMatchObject({
      id: "r2",
      downRevisions: ["r1"],
      nextRevisions: ["r3"],
      isHead: false,
      isBase: false,
      isBranchPoint: false,
      isMergePoint: false,
    });
    expect(graph.nodes.get("r1")?.isBase).toBe(true);
    expect(graph.nodes.get("r4")?.isHead).toBe(true);
  });

  it("marks branch points and keeps each branch together in the order", () => {
    const graph = graphOf(...BRANCHED);
    expect(graph.heads).toEqual(["a2", "b2"]);
    expect(graph.bases).toEqual(["root"]);
    expect(graph.branchPoints).toEqual(["root"]);
    expect(graph.order).toEqual(["root", "a1", "a2", "b1", "b2"]);
    expect(graph.nodes.get("root")?.nextRevisions).toEqual(["a1", "b1"]);
  });

  it("marks merge points and orders a merge after all its parents", () => {
    const graph = graphOf(...MERGED);
    expect(graph.mergePoints).toEqual(["m1"]);
    expect(graph.heads).toEqual(["tail"]);
    expect(graph.order).toEqual(["root", "a1", "a2", "b1", "m1", "tail"]);
    const merge = graph.nodes.get("m1");
    expect(merge?.isMergePoint).toBe(true);
    expect(merge?.downRevisions).toEqual(["a2", "b1"]);
    expect(merge?.isBranchPoint).toBe(false);
  });

  it("handles a merge of three branches", () => {
    const graph = graphOf(...THREE_WAY);
    expect(graph.order).toEqual(["root", "x1", "y1", "y2", "z1", "m3", "t1"]);
    expect(graph.nodes.get("m3")?.downRevisions).toEqual(["x1", "y2", "z1"]);
    expect(graph.branchPoints).toEqual(["root"]);
    expect(graph.mergePoints).toEqual(["m3"]);
    expect(graph.heads).toEqual(["t1"]);
  });

  it("handles a merge followed by another branch", () => {
    const graph = graphOf(...MERGE_THEN_BRANCH);
    expect(graph.order).toEqual(["root", "a1", "b1", "m1", "c1", "d1"]);
    expect(graph.branchPoints).toEqual(["root", "m1"]);
    expect(graph.mergePoints).toEqual(["m1"]);
    expect(graph.heads).toEqual(["c1", "d1"]);
    expect(graph.nodes.get("m1")).toMatchObject({ isBranchPoint: true, isMergePoint: true });
  });

  it("allows several bases", () => {
    const graph = graphOf("p1", "q1", "p2:p1", "j1:p2,q1");
    expect(graph.bases).toEqual(["p1", "q1"]);
    expect(graph.heads).toEqual(["j1"]);
    expect(graph.order).toEqual(["p1", "p2", "q1", "j1"]);
  });

  it("accepts an empty list of revisions", () => {
    const graph = buildRevisionGraph([]);
    expect(graph.order).toEqual([]);
    expect(graph.heads).toEqual([]);
    expect(graph.bases).toEqual([]);
    expect(graph.nodes.size).toBe(0);
  });

  it("treats an empty down-revision list like null and a one-element list like a string", () => {
    const graph = buildRevisionGraph([
      { revision: "a1", downRevision: [] },
      { revision: "b1", downRevision: ["a1"] },
    ]);
    expect(graph.bases).toEqual(["a1"]);
    expect(graph.nodes.get("b1")?.downRevisions).toEqual(["a1"]);
    expect(graph.nodes.get("b1")?.isMergePoint).toBe(false);
  });

  it("carries the caller's record objects through, untouched", () => {
    const records = revisions(...MERGED);
    const graph = buildRevisionGraph(records);
    for (const record of records) expect(graph.nodes.get(record.revision)?.record).toBe(record);
    expect(graph.nodes.get("m1")?.record.message).toBe("revision m1");
    expect(records[4]?.downRevision).toEqual(["a2", "b1"]);
  });

  it("returns frozen data", () => {
    const graph = graphOf(...LINEAR);
    expect(Object.isFrozen(graph)).toBe(true);
    expect(Object.isFrozen(graph.order)).toBe(true);
    expect(Object.isFrozen(graph.nodes.get("r1"))).toBe(true);
    expect(Object.isFrozen(graph.nodes.get("r1")?.nextRevisions)).toBe(true);
  });
});

describe("buildRevisionGraph: canonical order", () => {
  const permutations = <T>(items: readonly T[]): T[][] =>
    items.length <= 1 ? [[...items]] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));

  it("does not depend on the order the revisions are given in", () => {
    for (const fixture of [MERGED, MERGE_THEN_BRANCH]) {
      const expected = graphOf(...fixture);
      for (const order of permutations(fixture)) {
        const graph = graphOf(...order);
        expect(graph.order).toEqual(expected.order);
        expect(graph.heads).toEqual(expected.heads);
        expect(graph.nodes.get("root")?.nextRevisions).toEqual(expected.nodes.get("root")?.nextRevisions);
      }
    }
  });

  it("breaks ties by id in code-unit order, not by locale", () => {
    const graph = graphOf("root", "b1:root", "a1:root", "B1:root", "_1:root");
    expect(graph.order).toEqual(["root", "B1", "_1", "a1", "b1"]);
  });

  it("finishes a branch before starting the next one", () => {
    const graph = graphOf("root", "a1:root", "b1:root", "a2:a1", "b2:b1", "a3:a2");
    expect(graph.order).toEqual(["root", "a1", "a2", "a3", "b1", "b2"]);
  });
});

describe("buildRevisionGraph: validation", () => {
  it("rejects duplicate revision ids, naming every duplicate once", () => {
    const error = thrown(DuplicateRevisionError, () => graphOf("a1", "b1:a1", "b1:a1", "a1", "a1", "c1:b1"));
    expect(error.revisions).toEqual(["a1", "b1"]);
    expect(error.code).toBe("DUPLICATE_REVISION");
    expect(error.message).toContain("a1, b1");
    expect(error).toBeInstanceOf(AthanorError);
  });

  it("rejects missing down-revisions, naming which revision points to what", () => {
    const error = thrown(MissingDownRevisionError, () => graphOf("a1", "b1:a1", "c1:zz", "m1:b1,gone"));
    expect(error.code).toBe("MISSING_DOWN_REVISION");
    expect(error.missing).toEqual([
      { revision: "c1", downRevision: "zz" },
      { revision: "m1", downRevision: "gone" },
    ]);
    expect(error.message).toContain("c1 -> zz");
    expect(error.message).toContain("m1 -> gone");
  });

  it("rejects a cycle, naming the revisions on it in down-revision order", () => {
    const error = thrown(RevisionCycleError, () => graphOf("c1:b1", "a1:c1", "b1:a1"));
    expect(error.code).toBe("REVISION_CYCLE");
    // a1 -> c1 -> b1 -> a1, following down-revisions, starting at the smallest id
    expect(error.cycle).toEqual(["a1", "c1", "b1"]);
    expect(error.message).toContain("a1 -> c1 -> b1 -> a1");
  });

  it("rejects a revision that is its own down-revision", () => {
    const error = thrown(RevisionCycleError, () => graphOf("a1", "b1:b1"));
    expect(error.cycle).toEqual(["b1"]);
  });

  it("reports the cycle, not the revisions hanging off it, when the rest of the graph is valid", () => {
    const error = thrown(RevisionCycleError, () => graphOf("root", "ok1:root", "x1:x2", "x2:x3,root", "x3:x1", "tail1:x3", "tail2:tail1"));
    expect([...error.cycle].sort()).toEqual(["x1", "x2", "x3"]);
    expect(error.cycle).toEqual(["x1", "x2", "x3"]);
  });

  it("rejects a two-revision cycle through a merge", () => {
    const error = thrown(RevisionCycleError, () => graphOf("root", "p1:root,p2", "p2:p1"));
    expect(error.cycle).toEqual(["p1", "p2"]);
  });

  it.each([
    ["head", "reserved"],
    ["heads", "reserved"],
    ["base", "reserved"],
    ["", "invalid revision id"],
    ["a-b", "invalid revision id"],
    ["a+1", "invalid revision id"],
    ["has space", "invalid revision id"],
    ["ünïcode", "invalid revision id"],
  ])("rejects the revision id %j", (id, text) => {
    const error = thrown(InvalidRevisionError, () => buildRevisionGraph([{ revision: id, downRevision: null }]));
    expect(error.code).toBe("INVALID_REVISION");
    expect(error.revision).toBe(id);
    expect(error.message).toContain(text);
  });

  it("rejects malformed records and down-revisions", () => {
    const bad = (record: unknown) => () => buildRevisionGraph([record as Revision]);
    expect(thrown(InvalidRevisionError, bad({ revision: 42, downRevision: null })).revision).toBe(42);
    expect(thrown(InvalidRevisionError, bad({ revision: "a1" })).message).toContain("use null for a base");
    expect(thrown(InvalidRevisionError, bad({ revision: "a1", downRevision: 7 })).message).toContain("invalid down-revision 7");
    expect(thrown(InvalidRevisionError, bad({ revision: "a1", downRevision: ["ok", "no way"] })).message).toContain('"no way"');
    expect(thrown(InvalidRevisionError, bad({ revision: "a1", downRevision: ["b1", "b1"] })).message).toContain("twice");
    expect(thrown(InvalidRevisionError, bad(null)).message).toContain("must be an object");
  });

  it("checks record shape before duplicates, and duplicates before missing down-revisions", () => {
    thrown(InvalidRevisionError, () => graphOf("a1", "a1", "head"));
    thrown(DuplicateRevisionError, () => graphOf("a1", "a1", "b1:zz"));
    thrown(MissingDownRevisionError, () => graphOf("a1:b1", "b1:a1", "c1:zz"));
  });
});
