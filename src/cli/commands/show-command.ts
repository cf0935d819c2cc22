import { ConfigurationError } from "../../errors.js";
import { loadRevisionScripts } from "../../migrate/load-revision-scripts.js";
import { buildRevisionGraph } from "../../migrate/revision-graph/build-revision-graph.js";
import { resolveRevision } from "../../migrate/revision-graph/resolve-revision.js";
import type { CliCommand } from "../cli-command.js";

export const showCommand: CliCommand = {
  name: "show",
  summary: "show one revision (full id or unique prefix)",
  usage: "athanor show <rev>",
  flags: {},
  async run(context) {
    const ref = context.positionals[0];
    if (ref === undefined) throw new ConfigurationError("show needs a revision id or prefix");
    const graph = buildRevisionGraph(await loadRevisionScripts((await context.config()).migrationsDirectory));
    const node = graph.nodes.get(resolveRevision(graph, ref))!;
    const info = {
      revision: node.id,
      downRevisions: node.downRevisions,
      nextRevisions: node.nextRevisions,
      message: node.record.message ?? null,
      path: node.record.path,
      checksum: node.record.checksum,
      transactional: node.record.transactional,
      head: node.isHead,
      mergePoint: node.isMergePoint,
      branchPoint: node.isBranchPoint,
    };
    if (context.flags.json) context.output.json(info);
    else for (const [key, value] of Object.entries(info)) context.output.line(`${key}: ${Array.isArray(value) ? value.join(", ") || "-" : String(value)}`);
    return 0;
  },
};
