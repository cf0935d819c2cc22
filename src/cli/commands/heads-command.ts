import { loadRevisionScripts } from "../../migrate/load-revision-scripts.js";
import { buildRevisionGraph } from "../../migrate/revision-graph/build-revision-graph.js";
import type { CliCommand } from "../cli-command.js";

export const headsCommand: CliCommand = {
  name: "heads",
  summary: "list the migrations' heads (more than one: branches to merge)",
  usage: "athanor heads",
  flags: {},
  async run(context) {
    const graph = buildRevisionGraph(await loadRevisionScripts((await context.config()).migrationsDirectory));
    if (context.flags.json) context.output.json(graph.heads);
    else for (const head of graph.heads) context.output.line(`${head} (head), ${graph.nodes.get(head)?.record.message ?? ""}`);
    return 0;
  },
};
