import { loadRevisionScripts } from "../../migrate/load-revision-scripts.js";
import { buildRevisionGraph } from "../../migrate/revision-graph/build-revision-graph.js";
import { revisionHistory } from "../../migrate/revision-graph/revision-history.js";
import type { CliCommand } from "../cli-command.js";

export const historyCommand: CliCommand = {
  name: "history",
  summary: "list revisions from the heads down to the bases",
  usage: "athanor history [--applied]",
  flags: { applied: { value: false, help: "also mark what the database has applied (connects to it)" } },
  async run(context) {
    const { migrationsDirectory } = await context.config();
    const graph = buildRevisionGraph(await loadRevisionScripts(migrationsDirectory));
    const applied = context.flags.applied ? (await (await context.migrator()).status()).applied.map((row) => row.revision) : undefined;
    const entries = revisionHistory(graph, applied === undefined ? {} : { applied });
    if (context.flags.json) {
      // Without --applied the database is not asked, so whether a revision is applied is unknown: left out, never `false`.
      const known = (entry: (typeof entries)[number]) => (applied === undefined ? {} : { applied: entry.isApplied, current: entry.isCurrent });
      context.output.json(entries.map((entry) => ({ revision: entry.id, downRevisions: entry.downRevisions, message: entry.record.message, path: entry.record.path, head: entry.isHead, mergePoint: entry.isMergePoint, branchPoint: entry.isBranchPoint, ...known(entry) })));
      return 0;
    }
    for (const entry of entries) {
      const marks = [entry.isHead && "head", entry.isMergePoint && "mergepoint", entry.isBranchPoint && "branchpoint", entry.isApplied && "applied", entry.isCurrent && "current"].filter(Boolean);
      const from = entry.downRevisions.join(", ") || "<base>";
      context.output.line(`${from} -> ${entry.id}${marks.length ? ` (${marks.join(", ")})` : ""}, ${entry.record.message ?? ""}`);
    }
    return 0;
  },
};
