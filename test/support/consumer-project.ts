import { execFile, type ExecFileOptions } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is test/support/consumer-project.ts). */
export const REPOSITORY = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * What a user installs beside Athanor, from the registry, at the versions this repository's
 * lockfile resolved (so npm's cache usually has them). The compiled native binding of
 * better-sqlite3 is what makes a fresh install slow, so the installed tree is kept between
 * runs under the OS temp folder, keyed by these exact versions; Athanor itself is packed
 * and installed fresh every run.
 */
const THIRD_PARTY = [
  "kysely",
  "pg",
  "better-sqlite3",
  "tsx",
  "typescript",
  "@types/node",
  "@types/pg",
  "@types/better-sqlite3",
  // PGlite (pglite: URLs, and the documentation's PGlite example), with pgvector.
  "@electric-sql/pglite",
  "@electric-sql/pglite-pgvector",
  // athanor/fastify's optional peers, and what its documented WebSocket example uses.
  "fastify",
  "fastify-plugin",
  "@fastify/websocket",
  "ws",
  "@types/ws",
  // OpenTelemetry (the tracing and metrics options' optional peer), and the SDK parts docs/observability.md's example uses.
  "@opentelemetry/api",
  "@opentelemetry/context-async-hooks",
  "@opentelemetry/sdk-trace-base",
  "@opentelemetry/sdk-metrics",
] as const;

/** The result of a command run in a consumer project. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program and resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(file: string, args: readonly string[], options: ExecFileOptions & { input?: string } = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(file, args, { maxBuffer: 64 * 1024 * 1024, encoding: "utf8", ...options }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? ((error as { code: number }).code) : -1;
      if (error !== null && code === -1) reject(error);
      else resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function npm(args: readonly string[], cwd: string): Promise<CommandResult> {
  const result = await run("npm", args, { cwd, env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" } });
  if (result.code !== 0) throw new Error(`npm ${args.join(" ")} failed in ${cwd} (exit ${result.code}):\n${result.stderr || result.stdout}`);
  return result;
}

async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(REPOSITORY, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

let packed: Promise<string> | undefined;

/** Builds and packs this repository once per process (`npm pack` runs `prepack`, the build); resolves with the tarball's path. */
export function packAthanor(): Promise<string> {
  packed ??= (async () => {
    const destination = await mkdtemp(join(tmpdir(), "athanor-pack-"));
    const result = await npm(["pack", "--json", "--pack-destination", destination], REPOSITORY);
    const [entry] = JSON.parse(result.stdout.slice(result.stdout.indexOf("["))) as Array<{ filename: string }>;
    return join(destination, entry!.filename);
  })();
  return packed;
}

let thirdParty: Promise<{ dependencies: Record<string, string>; nodeModules: string }> | undefined;

/** The registry's packages a user installs beside Athanor, installed once into a cached folder. */
function installThirdParty(): Promise<{ dependencies: Record<string, string>; nodeModules: string }> {
  thirdParty ??= (async () => {
    const dependencies: Record<string, string> = {};
    for (const name of THIRD_PARTY) dependencies[name] = await installedVersion(name);
    const key = createHash("sha256").update(`${process.version}\n${JSON.stringify(dependencies)}`).digest("hex").slice(0, 16);
    const folder = join(tmpdir(), `athanor-consumer-deps-${key}`);
    const nodeModules = join(folder, "node_modules");
    const ready = await readFile(join(folder, "ready"), "utf8").then(
      () => true,
      () => false,
    );
    if (!ready) {
      const partial = `${folder}.partial-${randomBytes(4).toString("hex")}`;
      await mkdir(partial, { recursive: true });
      await writeFile(join(partial, "package.json"), JSON.stringify({ name: "athanor-consumer-deps", version: "1.0.0", private: true, dependencies }, null, 2));
      await npm(["install", "--prefer-offline", "--no-audit", "--no-fund"], partial);
      await writeFile(join(partial, "ready"), new Date().toISOString());
      await rm(folder, { recursive: true, force: true });
      await rename(partial, folder).catch(async (error: NodeJS.ErrnoException) => {
        // Another run finished first: use its folder.
        await rm(partial, { recursive: true, force: true });
        if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
      });
    }
    return { dependencies, nodeModules };
  })();
  return thirdParty;
}

/** A throwaway project outside the repository with the packed Athanor installed by npm. */
export interface ConsumerProject {
  readonly directory: string;
  /** Writes a file (folders created), relative to the project. */
  write(path: string, text: string): Promise<void>;
  read(path: string): Promise<string>;
  /** Runs the installed `node_modules/.bin/athanor`. */
  athanor(args: readonly string[], env?: Record<string, string | undefined>): Promise<CommandResult>;
  /** Runs plain `node` on a file of the project. */
  node(args: readonly string[], env?: Record<string, string | undefined>): Promise<CommandResult>;
  /** Runs the project's TypeScript compiler (`tsc -p <config>`). */
  tsc(args: readonly string[]): Promise<CommandResult>;
  /** Removes an installed package (to try a project without it). */
  uninstall(name: string): Promise<void>;
  remove(): Promise<void>;
}

/** Options of {@link createConsumerProject}. */
export interface ConsumerProjectOptions {
  /** `"module"`, `"commonjs"`, or undefined for no `type` field (what `npm init -y` writes). */
  readonly type?: "module" | "commonjs";
  /** Packages left out of the install (e.g. `tsx`, to see the CLI ask for it). */
  readonly without?: readonly string[];
}

/**
 * Creates a project in the OS temp folder, as a user would: a package.json, the registry's
 * kysely, pg, better-sqlite3, tsx and typescript, and the packed tarball of this repository
 * installed by `npm install`.
 */
export async function createConsumerProject(name: string, options: ConsumerProjectOptions = {}): Promise<ConsumerProject> {
  const [tarball, deps] = await Promise.all([packAthanor(), installThirdParty()]);
  const directory = await mkdtemp(join(tmpdir(), `athanor-consumer-${name}-`));
  const dependencies: Record<string, string> = { ...deps.dependencies, athanor: `file:${tarball}` };
  for (const left of options.without ?? []) delete dependencies[left];
  const manifest: Record<string, unknown> = { name: `consumer-${name}`, version: "1.0.0", private: true, dependencies };
  if (options.type !== undefined) manifest.type = options.type;
  await writeFile(join(directory, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await cp(deps.nodeModules, join(directory, "node_modules"), { recursive: true, verbatimSymlinks: true });
  for (const left of options.without ?? []) await rm(join(directory, "node_modules", left), { recursive: true, force: true });
  await npm(["install", "--prefer-offline", "--no-audit", "--no-fund"], directory);
  const env = (extra: Record<string, string | undefined> = {}) => ({ ...process.env, NO_COLOR: "1", ...extra });
  return {
    directory,
    write: async (path, text) => {
      await mkdir(dirname(join(directory, path)), { recursive: true });
      await writeFile(join(directory, path), text);
    },
    read: (path) => readFile(join(directory, path), "utf8"),
    athanor: (args, extra) => run(join(directory, "node_modules/.bin/athanor"), args, { cwd: directory, env: env(extra) }),
    node: (args, extra) => run(process.execPath, args, { cwd: directory, env: env(extra) }),
    tsc: (args) => run(process.execPath, [join(directory, "node_modules/typescript/bin/tsc"), ...args], { cwd: directory, env: env() }),
    uninstall: async (packageName) => {
      await rm(join(directory, "node_modules", packageName), { recursive: true, force: true });
    },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
