// Documentation examples are files that tests run: every TypeScript or JavaScript block in
// README.md and docs/*.md is preceded by a marker naming the file it shows, or a region of it:
//
//   <!-- example: examples/docs/sessions.ts#nested -->
//   ```ts
//   …the lines between `// #region nested` and `// #endregion nested` of that file…
//   ```
//
// `npm run docs:sync` rewrites the blocks from the files; test/docs-examples.test.ts fails
// when a block and its file differ, or when a block has no marker. The files are complete
// programs, typechecked with the repository and run as installed by the consumer test.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const MARKER = /^<!-- example: ([^\s#]+)(?:#([\w-]+))? -->$/;
const FENCE = /^```(\w*)\s*$/;
const CODE_LANGUAGES = new Set(["ts", "typescript", "js", "javascript", "mjs"]);

/** One fenced code block of a Markdown file. */
export interface DocBlock {
  readonly document: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly text: string;
  /** The marker's file and region, when the block has one. */
  readonly source?: { readonly file: string; readonly region: string | undefined };
}

/** The Markdown files whose code blocks are checked. */
export async function documents(): Promise<string[]> {
  const docs = (await readdir(join(ROOT, "docs"))).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`);
  return ["README.md", ...docs.sort()];
}

/** Every fenced block of a document, with its marker when the line before the fence is one. */
export function blocks(document: string, markdown: string): DocBlock[] {
  const lines = markdown.split("\n");
  const found: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const marker = MARKER.exec(lines[i - 1] ?? "");
    found.push({
      document,
      line: i + 1,
      language: open[1]!,
      text: lines.slice(i + 1, end).join("\n"),
      ...(marker === null ? {} : { source: { file: marker[1]!, region: marker[2] } }),
    });
    i = end;
  }
  return found;
}

/** True for blocks that must show a tested file (TypeScript and JavaScript). */
export function isCode(block: DocBlock): boolean {
  return CODE_LANGUAGES.has(block.language);
}

/** The text a marker names: the whole file, or one `// #region name` … `// #endregion name`, dedented. */
export async function sourceText(file: string, region: string | undefined): Promise<string> {
  const text = (await readFile(join(ROOT, file), "utf8")).replace(/\n$/, "");
  if (region === undefined) return text.split("\n").filter((line) => !/^\s*\/\/ #(end)?region\b/.test(line)).join("\n");
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  const end = lines.findIndex((line, i) => i > start && line.trim() === `// #endregion ${region}`);
  if (start < 0 || end < 0) throw new Error(`${file} has no region "${region}" (// #region ${region} … // #endregion ${region})`);
  const body = lines.slice(start + 1, end).filter((line) => !/^\s*\/\/ #(end)?region\b/.test(line));
  const indent = Math.min(...body.filter((line) => line.trim() !== "").map((line) => /^ */.exec(line)![0].length));
  return body.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).join("\n");
}

/** Rewrites every marked block of every document from its source. */
async function sync(): Promise<void> {
  for (const document of await documents()) {
    const path = join(ROOT, document);
    const lines = (await readFile(path, "utf8")).split("\n");
    let changed = false;
    for (const block of blocks(document, lines.join("\n")).reverse()) {
      if (block.source === undefined) continue;
      const text = await sourceText(block.source.file, block.source.region);
      if (text === block.text) continue;
      const count = block.text === "" ? 0 : block.text.split("\n").length;
      lines.splice(block.line, count, ...text.split("\n"));
      changed = true;
    }
    if (changed) {
      await writeFile(path, lines.join("\n"));
      console.log(`updated ${document}`);
    }
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await sync();
