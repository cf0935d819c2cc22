import { access, mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { ConfigurationError } from "../../errors.js";
import type { CliCommand } from "../cli-command.js";
import { projectUsesTypeScript } from "../cli-context.js";

const CONFIG = `import { defineConfig } from "athanor";

export default defineConfig({
  // DATABASE_URL wins; the embedded SQLite file is the development default.
  url: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
  migrations: "./migrations",
  // schema: "./src/schema.SUFFIX", // exports \`schema\`: enables revision --autogenerate and check
  // seeds: "./src/fixtures.SUFFIX", // exports \`fixtures\`: enables athanor seed
});
`;

export const initCommand: CliCommand = {
  name: "init",
  summary: "scaffold athanor.config.ts (or .mjs) and the migrations folder",
  usage: "athanor init [--language ts|js] [--directory migrations]",
  flags: {
    language: { value: true, help: "ts or js (default: ts when the folder has a tsconfig.json, else js); revisions follow it" },
    directory: { value: true, help: "migrations folder (default migrations)" },
  },
  async run(context) {
    const folder = typeof context.flags.directory === "string" ? context.flags.directory : "migrations";
    const language = context.flags.language ?? ((await projectUsesTypeScript(context.cwd)) ? "ts" : "js");
    if (language !== "ts" && language !== "js") throw new ConfigurationError(`--language must be ts or js, not ${JSON.stringify(language)}`);
    const suffix = language === "ts" ? "ts" : "mjs";
    const existing = await firstExisting(["ts", "mts", "cts", "js", "mjs", "cjs"].map((extension) => join(context.cwd, `athanor.config.${extension}`)));
    const configPath = existing ?? join(context.cwd, `athanor.config.${suffix}`);
    const created: string[] = [];
    if (existing === undefined) {
      const text = CONFIG.replaceAll("SUFFIX", suffix);
      await writeFile(configPath, folder === "migrations" ? text : text.replace('"./migrations"', JSON.stringify(`./${folder}`)));
      created.push(configPath);
    }
    const migrations = join(context.cwd, folder);
    if (!(await exists(migrations))) {
      await mkdir(migrations, { recursive: true });
      created.push(migrations);
    }
    const name = relative(context.cwd, configPath);
    if (context.flags.json) context.output.json({ created });
    else if (created.length === 0) context.output.line(`nothing to do: ${name} and the migrations folder exist`);
    else for (const path of created) context.output.line(`created ${relative(context.cwd, path) || path}`);
    return 0;
  },
};

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) if (await exists(path)) return path;
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
