import { access, mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { CliCommand } from "../cli-command.js";

const CONFIG = `import { defineConfig } from "athanor";

export default defineConfig({
  // DATABASE_URL wins; the embedded SQLite file is the development default.
  url: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
  migrations: "./migrations",
  // schema: "./src/schema.ts", // exports \`schema\`: enables revision --autogenerate and check
});
`;

export const initCommand: CliCommand = {
  name: "init",
  summary: "scaffold athanor.config.ts and the migrations folder",
  usage: "athanor init [--directory migrations]",
  flags: { directory: { value: true, help: "migrations folder (default migrations)" } },
  async run(context) {
    const folder = typeof context.flags.directory === "string" ? context.flags.directory : "migrations";
    const configPath = join(context.cwd, "athanor.config.ts");
    const created: string[] = [];
    if (!(await exists(configPath))) {
      await writeFile(configPath, folder === "migrations" ? CONFIG : CONFIG.replace('"./migrations"', JSON.stringify(`./${folder}`)));
      created.push(configPath);
    }
    const migrations = join(context.cwd, folder);
    if (!(await exists(migrations))) {
      await mkdir(migrations, { recursive: true });
      created.push(migrations);
    }
    if (context.flags.json) context.output.json({ created });
    else if (created.length === 0) context.output.line("nothing to do: athanor.config.ts and the migrations folder exist");
    else for (const path of created) context.output.line(`created ${relative(context.cwd, path) || path}`);
    return 0;
  },
};

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
