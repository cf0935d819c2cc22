import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = new URL("../bin/athanor.js", import.meta.url).pathname;

// bin/athanor.js in a copy of the package's layout, with stub entry points that say which one ran.
// The copy sits inside the repository (.tmp/ is ignored) so that `tsx` resolves as it does for the real bin.
describe("bin/athanor.js", () => {
  let root: string;
  beforeAll(async () => {
    await mkdir(new URL("../.tmp/", import.meta.url), { recursive: true });
    root = await mkdtemp(join(new URL("../.tmp/", import.meta.url).pathname, "bin-"));
    await mkdir(join(root, "bin"));
    await mkdir(join(root, "dist/cli"), { recursive: true });
    await copyFile(BIN, join(root, "bin/athanor.js"));
    await writeFile(join(root, "package.json"), JSON.stringify({ type: "module" }));
    await writeFile(join(root, "dist/cli/main.js"), 'export async function runCli(argv) { console.log("dist", argv.join(" ")); return 0; }\n');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("runs the build in an installed package (no src/ beside bin/)", async () => {
    const { stdout } = await run(process.execPath, [join(root, "bin/athanor.js"), "current", "--json"]);
    expect(stdout.trim()).toBe("dist current --json");
  });

  it("runs the TypeScript sources through tsx in a checkout of the repository, with no build needed", async () => {
    await mkdir(join(root, "src/cli"), { recursive: true });
    await writeFile(join(root, "src/cli/main.ts"), 'export async function runCli(argv: readonly string[]): Promise<number> { console.log("src", argv.join(" ")); return 3; }\n');
    const failure = await run(process.execPath, [join(root, "bin/athanor.js"), "upgrade", "head"]).catch((error: { code: number; stdout: string }) => error);
    expect(failure).toMatchObject({ code: 3, stdout: "src upgrade head\n" }); // and its exit code is the command's
  });
});
