import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as errors from "../src/errors.js";

const source = readFileSync(fileURLToPath(new URL("../src/errors.ts", import.meta.url)), "utf8");
const docs = readFileSync(fileURLToPath(new URL("../docs/errors.md", import.meta.url)), "utf8");

interface SourceCode {
  readonly code: string;
  readonly className: string;
  readonly retryable: boolean;
}

/** Every code in src/errors.ts: the string literal a class passes to `super("…"`, with that class. */
function codesInSource(): SourceCode[] {
  const found: SourceCode[] = [];
  const declarations = [...source.matchAll(/export (?:abstract )?class (\w+)/g)];
  for (const match of source.matchAll(/super\(\s*"([A-Z][A-Z0-9_]*)"/g)) {
    const owner = declarations.filter((declaration) => declaration.index! < match.index!).at(-1);
    if (owner === undefined) throw new Error(`super("${match[1]}" appears before any class`);
    const next = declarations.find((declaration) => declaration.index! > owner.index!);
    const body = source.slice(owner.index, next?.index ?? source.length);
    found.push({ code: match[1]!, className: owner[1]!, retryable: /retryable\s*=\s*true/.test(body) });
  }
  return found;
}

interface DocumentedCode {
  readonly code: string;
  readonly className: string;
  readonly retryable: string;
}

/** Every row of the tables in docs/errors.md whose first cell is a `CODE`. */
function codesInDocs(): DocumentedCode[] {
  const rows: DocumentedCode[] = [];
  for (const line of docs.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const code = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[1] ?? "")?.[1];
    if (code === undefined) continue;
    rows.push({ code, className: (cells[2] ?? "").replaceAll("`", ""), retryable: cells[4] ?? "" });
  }
  return rows;
}

describe("error catalogue (src/errors.ts ↔ docs/errors.md)", () => {
  const inSource = codesInSource();
  const inDocs = codesInDocs();

  it("finds the codes on both sides (the extraction itself works)", () => {
    expect(inSource.map((entry) => entry.code)).toEqual(expect.arrayContaining(["UNIQUE_VIOLATION", "ENGINE_DISPOSED", "POOL_TIMEOUT"]));
    expect(inDocs.length).toBeGreaterThan(10);
  });

  it("documents every code in src/errors.ts", () => {
    const documented = new Set(inDocs.map((row) => row.code));
    expect(inSource.filter((entry) => !documented.has(entry.code)).map((entry) => `${entry.code} (${entry.className})`)).toEqual([]);
  });

  it("documents no code that src/errors.ts no longer has", () => {
    const existing = new Set(inSource.map((entry) => entry.code));
    expect(inDocs.filter((row) => !existing.has(row.code)).map((row) => row.code)).toEqual([]);
  });

  it("gives each code one class and one row", () => {
    const duplicates = (codes: string[]) => codes.filter((code, index) => codes.indexOf(code) !== index);
    expect(duplicates(inSource.map((entry) => entry.code))).toEqual([]);
    expect(duplicates(inDocs.map((row) => row.code))).toEqual([]);
  });

  it("names the class that throws each code, exported from the errors module", () => {
    const classOf = new Map(inSource.map((entry) => [entry.code, entry.className]));
    for (const row of inDocs) {
      if (!classOf.has(row.code)) continue;
      expect(row.className, row.code).toBe(classOf.get(row.code));
      expect(typeof (errors as Record<string, unknown>)[row.className], row.className).toBe("function");
    }
  });

  it("says retryable exactly for the classes that set retryable = true", () => {
    const retryable = new Map(inSource.map((entry) => [entry.code, entry.retryable]));
    for (const row of inDocs) {
      if (!retryable.has(row.code)) continue;
      expect(row.retryable.replaceAll("*", "").startsWith("yes"), `${row.code}: "${row.retryable}"`).toBe(retryable.get(row.code));
    }
    // The flag on instances agrees with the source (the two retryable classes).
    expect(new errors.SerializationFailureError("x").retryable).toBe(true);
    expect(new errors.DeadlockError("x").retryable).toBe(true);
    expect(new errors.LockTimeoutError("x").retryable).toBe(false);
  });
});
