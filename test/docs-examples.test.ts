import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blocks, documents, isCode, ROOT, sourceText } from "../scripts/docs-examples.js";

// Every TypeScript/JavaScript block of the README and docs/ shows a tested file (see
// scripts/docs-examples.ts); `npm run docs:sync` rewrites the blocks from the files.

describe("documentation examples", async () => {
  const all = (await Promise.all((await documents()).map(async (document) => blocks(document, await readFile(join(ROOT, document), "utf8"))))).flat();
  const code = all.filter(isCode);

  it("every code block names the tested file it shows", () => {
    const unmarked = code.filter((block) => block.source === undefined).map((block) => `${block.document}:${block.line}`);
    expect(unmarked, "add <!-- example: examples/docs/<file>.ts#<region> --> before each block").toEqual([]);
  });

  it.each(code.filter((block) => block.source !== undefined).map((block) => [`${block.document}:${block.line}`, block] as const))("%s matches its file (npm run docs:sync)", async (_, block) => {
    expect(block.text).toBe(await sourceText(block.source!.file, block.source!.region));
  });
});
