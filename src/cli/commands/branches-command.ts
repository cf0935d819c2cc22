import { loadRevisionScripts } from "../../migrate/load-revision-scripts.js";
import { buildRevisionGraph } from "../../migrate/revision-graph/build-revision-graph.js";
import type { CliCommand } from "../cli-command.js";

export const branchesCommand: CliCommand = {
  name: "branches",
  summary: "list branch points and the revisions that follow them",
  usage: "athanor branches",
  flags: {},
  async run(context) {
    const graph = buildRevisionGraph(await loadRevisionScripts((await context.config()).migrationsDirectory));
    const branches = graph.branchPoints.map((id) => ({ revision: id, next: graph.nodes.get(id)!.nextRevisions }));
    if (context.flags.json) context.output.json(branches);
    else for (const branch of branches) context.output.line(`${branch.revision} (branchpoint) -> ${branch.next.join(", ")}`);
    return 0;
  },
};
