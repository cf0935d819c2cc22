import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.js";
import { runCliWorkflow } from "./support/cli-workflow.js";
import { createConsumerProject, REPOSITORY, type ConsumerProject } from "./support/consumer-project.js";
import { postgresUnavailable } from "./support/postgres-admin.js";

// Athanor as a user installs it: `npm pack`, the tarball installed by npm into throwaway
// projects outside the repository beside the registry's kysely, pg, better-sqlite3, tsx and
// typescript, then driven through the real `node_modules/.bin/athanor` and plain `node`.

const INSTALL_MILLIS = 600_000;
const STEP_MILLIS = 180_000;

const SUBPATHS = Object.keys(JSON.parse(readFileSync(join(REPOSITORY, "package.json"), "utf8")).exports as Record<string, unknown>)
  .filter((key) => key !== "./package.json")
  .map((key) => (key === "." ? "athanor" : `athanor/${key.slice(2)}`));

/** A program that uses the engine, a session, the schema's value policy and every subpath; prints what it read. */
const PROGRAM_BODY = `
const engine = createEngine(process.env.DATABASE_URL ?? "sqlite::memory:", { schema });
const sessions = createSessionFactory(engine);
await initializeDatabase(engine, schema);
await sessions.run(async (db) => {
  await db.insertInto("notes").values({ id: "0b7e2d0c-6b7a-4a8e-9a53-1f0d2b8c7e11", title: "hello", done: true, meta: { tags: ["a"] } }).execute();
});
let duplicate = "none";
try {
  await sessions.run((db) => db.insertInto("notes").values({ id: "0b7e2d0c-6b7a-4a8e-9a53-1f0d2b8c7e11", title: "again", done: false, meta: null }).execute());
} catch (error) {
  duplicate = error instanceof UniqueViolationError ? error.code : String(error);
}
const row = await engine.db.selectFrom("notes").selectAll().executeTakeFirstOrThrow();
console.log(JSON.stringify({
  title: row.title,
  done: row.done,
  createdAtIsDate: row.createdAt instanceof Date,
  meta: row.meta,
  duplicate,
  subpaths: loaded.length,
}));
await dropAll(engine, schema);
await engine.dispose();
`;

const SCHEMA_DECLARATION = `
const notes = table("notes", {
  id: uuid().primaryKey(),
  title: text().notNull(),
  done: boolean().notNull().default(false),
  meta: json(),
  ...timestamps(),
});
const schema = defineSchema({ notes });
`;

const EXPECTED_OUTPUT = { title: "hello", done: true, createdAtIsDate: true, meta: { tags: ["a"] }, duplicate: "UNIQUE_VIOLATION", subpaths: SUBPATHS.length };

function esmProgram(): string {
  return [
    `import { createEngine, createSessionFactory, UniqueViolationError } from "athanor";`,
    `import { defineSchema, table, uuid, text, boolean, json, timestamps, initializeDatabase, dropAll } from "athanor/schema";`,
    `const loaded = [${SUBPATHS.map((path) => `await import(${JSON.stringify(path)})`).join(", ")}];`,
    SCHEMA_DECLARATION,
    PROGRAM_BODY,
  ].join("\n");
}

function commonJsProgram(): string {
  return [
    `const { createEngine, createSessionFactory, UniqueViolationError } = require("athanor");`,
    `const { defineSchema, table, uuid, text, boolean, json, timestamps, initializeDatabase, dropAll } = require("athanor/schema");`,
    `const loaded = [${SUBPATHS.map((path) => `require(${JSON.stringify(path)})`).join(", ")}];`,
    SCHEMA_DECLARATION,
    `(async () => {${PROGRAM_BODY}})().catch((error) => { console.error(error); process.exitCode = 1; });`,
  ].join("\n");
}

/** A TypeScript file that needs every subpath's types to resolve, and the inferred DB type to check. */
function typedProgram(): string {
  return [
    `import { createEngine, createSessionFactory, UniqueViolationError, type Engine } from "athanor";`,
    `import { defineSchema, table, uuid, text, boolean, json, timestamps, initializeDatabase, dropAll, type InferDatabase } from "athanor/schema";`,
    ...SUBPATHS.map((path, i) => `import * as subpath${i} from ${JSON.stringify(path)};`),
    `const loaded: object[] = [${SUBPATHS.map((_, i) => `subpath${i}`).join(", ")}];`,
    SCHEMA_DECLARATION,
    `type DB = InferDatabase<typeof schema>;`,
    `const typed: Engine<DB> | undefined = undefined;`,
    `// @ts-expect-error: "nope" is not a column of notes`,
    `export const wrong = (engine: Engine<DB>) => engine.db.selectFrom("notes").select("nope");`,
    `export async function main(): Promise<void> {`,
    PROGRAM_BODY.replace("createEngine(", "createEngine<DB>(").replace("const row = ", "const row: { done: boolean; createdAt: Date } & Record<string, unknown> = "),
    `}`,
    `void typed;`,
  ].join("\n");
}

/** athanor/fastify as installed: a Fastify app on the plugin, a commit, a 409, a 404 and the health route. */
const FASTIFY_BODY = `
const notes = table("notes", { id: integer().primaryKey(), title: text().notNull().unique() });
const schema = defineSchema({ notes });
const app = Fastify();
await app.register(athanorPlugin, { url: process.env.DATABASE_URL ?? "sqlite::memory:", engineOptions: { schema }, health: true });
await initializeDatabase(app.athanor.engine, schema);
await app.register(async (api) => {
  api.post("/notes", async (request, reply) => reply.code(201).send(await request.db.insertInto("notes").values(request.body).returning("id").executeTakeFirstOrThrow()));
  api.get("/notes/:id", (request) => request.db.selectFrom("notes").selectAll().where("id", "=", Number(request.params.id)).executeTakeFirstOrThrow());
});
const created = await app.inject({ method: "POST", url: "/notes", payload: { id: 1, title: "hello" } });
const duplicate = await app.inject({ method: "POST", url: "/notes", payload: { id: 2, title: "hello" } });
const found = await app.inject("/notes/1");
const missing = await app.inject("/notes/2");
const health = await app.inject("/health");
console.log(JSON.stringify({ created: created.statusCode, duplicate: duplicate.json().code, found: found.json().title, missing: missing.statusCode, health: health.json().status, table: Object.keys(HTTP_ERROR_TABLE).length > 0 }));
await dropAll(app.athanor.engine, schema);
await app.close();
`;

const FASTIFY_OUTPUT = { created: 201, duplicate: "UNIQUE_VIOLATION", found: "hello", missing: 404, health: "ok", table: true };

async function expectProgramOutput(result: { code: number; stdout: string; stderr: string }): Promise<void> {
  expect(result.stderr, result.stderr).not.toMatch(/Error|Warning/);
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout.trim().split("\n").at(-1)!)).toEqual(EXPECTED_OUTPUT);
}

describe("the packed package, installed", () => {
  let postgres: TestDatabase | undefined;
  const projects: ConsumerProject[] = [];
  const project = async (name: string, options: Parameters<typeof createConsumerProject>[1]) => {
    const created = await createConsumerProject(name, options);
    projects.push(created);
    return created;
  };

  beforeAll(async () => {
    if (!postgresUnavailable) postgres = await createTestDatabase("postgres");
  }, INSTALL_MILLIS);

  afterAll(async () => {
    await postgres?.drop();
    await Promise.all(projects.map((created) => created.remove()));
  });

  describe('an ES module project ("type": "module")', () => {
    let esm: ConsumerProject;
    beforeAll(async () => {
      esm = await project("esm", { type: "module" });
    }, INSTALL_MILLIS);

    test("import of every subpath, and a program on SQLite with plain node", async () => {
      await esm.write("main.mjs", esmProgram());
      await expectProgramOutput(await esm.node(["main.mjs"]));
    }, STEP_MILLIS);

    test("instanceof holds between the ES module and CommonJS copies loaded in one process", async () => {
      await esm.write(
        "cross.mjs",
        [
          `import { createRequire } from "node:module";`,
          `import { AthanorError, UniqueViolationError } from "athanor";`,
          `const copy = createRequire(import.meta.url)("athanor");`,
          `const error = new copy.UniqueViolationError("duplicate", {});`,
          `console.log(copy.UniqueViolationError !== UniqueViolationError, error instanceof UniqueViolationError, error instanceof AthanorError, new copy.ConfigurationError("x") instanceof UniqueViolationError, new Error("x") instanceof AthanorError);`,
        ].join("\n"),
      );
      const result = await esm.node(["cross.mjs"]);
      expect(result.stderr).toBe("");
      expect(result.stdout.trim()).toBe("true true true false false");
    }, STEP_MILLIS);

    test.skipIf(postgresUnavailable)("the same program on PostgreSQL", async () => {
      await expectProgramOutput(await esm.node(["main.mjs"], { DATABASE_URL: postgres!.url }));
    }, STEP_MILLIS);

    test("athanor/fastify: an app on the plugin, on SQLite and PostgreSQL", async () => {
      await esm.write(
        "fastify.mjs",
        [
          `import Fastify from "fastify";`,
          `import { athanorPlugin, HTTP_ERROR_TABLE } from "athanor/fastify";`,
          `import { defineSchema, table, integer, text, initializeDatabase, dropAll } from "athanor/schema";`,
          FASTIFY_BODY,
        ].join("\n"),
      );
      for (const env of [{}, ...(postgresUnavailable ? [] : [{ DATABASE_URL: postgres!.url }])]) {
        const result = await esm.node(["fastify.mjs"], env);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout.trim())).toEqual(FASTIFY_OUTPUT);
      }
    }, STEP_MILLIS);

    test("the CLI workflow with JavaScript revisions, on SQLite", async () => {
      await runCliWorkflow(esm, { language: "js", url: `sqlite:./data/esm.db` });
    }, STEP_MILLIS);
  });

  describe('a project with no "type" field (what npm init -y writes)', () => {
    let plain: ConsumerProject;
    beforeAll(async () => {
      plain = await project("commonjs", {});
    }, INSTALL_MILLIS);

    test("require() of every subpath, and a program on SQLite with plain node", async () => {
      await plain.write("main.js", commonJsProgram());
      await expectProgramOutput(await plain.node(["main.js"]));
    }, STEP_MILLIS);

    test("athanor/fastify with require(), on SQLite", async () => {
      await plain.write(
        "fastify.js",
        [
          `const Fastify = require("fastify");`,
          `const { athanorPlugin, HTTP_ERROR_TABLE } = require("athanor/fastify");`,
          `const { defineSchema, table, integer, text, initializeDatabase, dropAll } = require("athanor/schema");`,
          `(async () => {${FASTIFY_BODY}})().catch((error) => { console.error(error); process.exitCode = 1; });`,
        ].join("\n"),
      );
      const result = await plain.node(["fastify.js"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout.trim())).toEqual(FASTIFY_OUTPUT);
    }, STEP_MILLIS);

    test("the CLI workflow with TypeScript revisions compiled to CommonJS, on SQLite", async () => {
      await runCliWorkflow(plain, { language: "ts", url: `sqlite:./data/cjs.db` });
    }, STEP_MILLIS);

    test.skipIf(postgresUnavailable)("the CLI workflow with TypeScript revisions, on PostgreSQL", async () => {
      const again = await project("commonjs-postgres", {});
      await runCliWorkflow(again, { language: "ts", url: postgres!.url });
    }, STEP_MILLIS);
  });

  describe("a project without tsx (nor PGlite)", () => {
    let bare: ConsumerProject;
    beforeAll(async () => {
      bare = await project("no-tsx", { without: ["tsx", "@electric-sql/pglite", "@electric-sql/pglite-pgvector"] });
    }, INSTALL_MILLIS);

    test("installs without the optional PGlite peer; a pglite: URL asks for it by name, SQLite works", async () => {
      await bare.write(
        "pglite-missing.mjs",
        `import { createEngine } from "athanor";
const sqlite = createEngine("sqlite::memory:");
console.log((await sqlite.healthCheck()).status);
await sqlite.dispose();
try { createEngine("pglite::memory:"); } catch (error) { console.log(error.code, error.message); }
`,
      );
      const result = await bare.node(["pglite-missing.mjs"]);
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/^ok\nDRIVER_MISSING .*npm install @electric-sql\/pglite/);
    }, STEP_MILLIS);

    test("init writes JavaScript and the workflow runs without a TypeScript loader", async () => {
      await runCliWorkflow(bare, { language: "js", url: `sqlite:./data/bare.db` });
    }, STEP_MILLIS);

    test("a TypeScript config asks for tsx by name", async () => {
      await bare.write("ts-config/athanor.config.ts", `export default { migrations: "./migrations" };\n`);
      const result = await bare.athanor(["current", "--config", "ts-config/athanor.config.ts"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("npm install --save-dev tsx");
    }, STEP_MILLIS);
  });

  describe("the documentation's examples (examples/docs), as a user's TypeScript project", () => {
    let docs: ConsumerProject;
    // Programs run with plain node; *.test.ts examples are vitest files, run by this repository's own suite.
    const programs = readdirSync(join(REPOSITORY, "examples/docs")).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts")).sort();
    beforeAll(async () => {
      docs = await project("docs", { type: "module" });
      await cp(join(REPOSITORY, "examples/docs"), join(docs.directory, "src"), { recursive: true });
      await docs.write(
        "tsconfig.json",
        JSON.stringify({
          compilerOptions: { target: "ES2022", lib: ["ES2022", "ESNext.Disposable"], module: "node16", moduleResolution: "node16", strict: true, skipLibCheck: false, outDir: "out", rootDir: "src", types: ["node"] },
          include: ["src"],
          exclude: ["src/**/*.test.ts"],
        }),
      );
      const compiled = await docs.tsc(["-p", "tsconfig.json"]);
      expect(compiled.stdout + compiled.stderr).toBe("");
    }, INSTALL_MILLIS);

    const dialects = [
      { name: "SQLite", url: async () => `sqlite:${join(docs.directory, "data", `${randomUUID()}.db`)}`, skip: false },
      { name: "PostgreSQL", url: async () => (databases.push(await createTestDatabase("postgres")), databases.at(-1)!.url), skip: postgresUnavailable },
    ];
    const databases: TestDatabase[] = [];
    afterAll(() => Promise.all(databases.map((database) => database.drop())));
    for (const dialect of dialects) {
      test.skipIf(dialect.skip).each(programs)(`%s runs with plain node on ${dialect.name}`, async (program) => {
        const url = await dialect.url();
        const result = await docs.node([`out/${program.replace(/\.ts$/, ".js")}`], { DATABASE_URL: url });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        if (program === "quick-start.ts") {
          // The README's quick start, run a second time on the same database, as a newcomer does.
          const again = await docs.node([`out/${program.replace(/\.ts$/, ".js")}`], { DATABASE_URL: url });
          expect(again.stderr).toBe("");
          expect(again.code).toBe(0);
        }
      }, STEP_MILLIS);
    }
  });

  describe("TypeScript projects", () => {
    const configs = {
      "node16, ES module": { type: "module" as const, compilerOptions: { module: "node16", moduleResolution: "node16" } },
      "node16, CommonJS": { type: undefined, compilerOptions: { module: "node16", moduleResolution: "node16" } },
      bundler: { type: "module" as const, compilerOptions: { module: "esnext", moduleResolution: "bundler" } },
      // TypeScript's older resolution, as `tsc --init` set up CommonJS projects for years: the subpaths resolve through typesVersions, the root through "types".
      "node10, CommonJS": { type: undefined, compilerOptions: { module: "commonjs", moduleResolution: "node10", esModuleInterop: true } },
    };
    for (const [name, { type, compilerOptions }] of Object.entries(configs)) {
      test(`${name}: every subpath's types resolve, the program typechecks, compiles and runs with plain node`, async () => {
        const typed = await project(`ts-${name.replace(/\W+/g, "-")}`, type === undefined ? {} : { type });
        await typed.write(
          "tsconfig.json",
          JSON.stringify({
            compilerOptions: { target: "ES2022", lib: ["ES2022", "ESNext.Disposable"], strict: true, skipLibCheck: false, outDir: "out", rootDir: "src", types: ["node"], ...compilerOptions },
            include: ["src"],
          }),
        );
        await typed.write("src/program.ts", typedProgram());
        await typed.write("src/main.ts", `import { main } from "./program.js";\nmain().catch((error) => { console.error(error); process.exitCode = 1; });\n`);
        const compiled = await typed.tsc(["-p", "tsconfig.json"]);
        expect(compiled.stdout + compiled.stderr).toBe("");
        expect(compiled.code).toBe(0);
        await expectProgramOutput(await typed.node(["out/main.js"]));
      }, INSTALL_MILLIS);
    }
  });
});
