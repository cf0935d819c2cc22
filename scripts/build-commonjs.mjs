// Builds the CommonJS copy of the package (dist/cjs) from tsc's ESM output (dist):
// each module is transformed on its own (no bundling, so `import()` of user files stays
// `import()`), `import.meta.url` becomes the file's own URL, and the declarations are copied
// beside it, where dist/cjs/package.json makes TypeScript read them as CommonJS.
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const esm = join(root, "dist");
const cjs = join(esm, "cjs");
const IMPORT_META_URL = "__athanorModuleUrl";

async function* files(directory) {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (path !== cjs) yield* files(path);
    } else yield path;
  }
}

let modules = 0;
for await (const path of files(esm)) {
  const target = join(cjs, relative(esm, path));
  await mkdir(dirname(target), { recursive: true });
  if (path.endsWith(".d.ts")) {
    await copyFile(path, target);
  } else if (path.endsWith(".js")) {
    const source = await readFile(path, "utf8");
    const usesMeta = source.includes("import.meta");
    const { code, warnings } = await transform(source, {
      format: "cjs",
      platform: "node",
      target: "node20",
      sourcefile: relative(root, path),
      ...(usesMeta
        ? { define: { "import.meta.url": IMPORT_META_URL }, banner: `const ${IMPORT_META_URL} = require("node:url").pathToFileURL(__filename).href;` }
        : {}),
    });
    if (warnings.length > 0) throw new Error(`${path}: ${warnings.map((warning) => warning.text).join("; ")}`);
    if (/\bimport\.meta\b/.test(code)) throw new Error(`${path}: import.meta left in the CommonJS output`);
    await writeFile(target, code);
    modules += 1;
  }
}
await writeFile(join(cjs, "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
console.log(`dist/cjs: ${modules} CommonJS modules`);
