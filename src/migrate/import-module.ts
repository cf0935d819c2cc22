import { pathToFileURL } from "node:url";
import { ConfigurationError } from "../errors.js";

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** tsx's scoped ESM API, registered once per process on first use. */
interface TsxApi {
  import(specifier: string, parentURL: string): Promise<unknown>;
}
let tsx: Promise<TsxApi | undefined> | undefined;

/**
 * Imports a user's module by path: a config, a schema, fixtures or a revision. JavaScript
 * goes through Node's own `import()`. TypeScript goes through `tsx` when it is installed (an
 * optional peer dependency: a project that writes TypeScript has it, a production install
 * that never runs the CLI does not), else through Node's own type stripping where the Node
 * version has it; otherwise the error says what to install.
 *
 * Modules compiled to CommonJS (a `.ts` file in a project without `"type": "module"`) come
 * back as the same record an ES module would give: `default` and named exports at the top.
 *
 * @example
 * ```ts
 * const { schema } = await importModule("/app/src/schema.ts");
 * ```
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  let loaded: unknown;
  if (TYPESCRIPT.test(path)) {
    const api = await (tsx ??= registerTsx());
    if (api !== undefined) loaded = await api.import(url, import.meta.url);
    else if (nodeStripsTypes()) loaded = await import(url);
    else {
      throw new ConfigurationError(
        `${path} is TypeScript, and loading it needs tsx, which is not installed: run \`npm install --save-dev tsx\`, or write the file as JavaScript (.mjs)`,
      );
    }
  } else {
    loaded = await import(url);
  }
  return asNamespace(loaded as Record<string, unknown>);
}

/**
 * Registers tsx's loaders once, in a namespace of their own (so nothing else in the process
 * is compiled), for ES modules and, under the same namespace, for TypeScript compiled to
 * CommonJS; as tsx's own `tsImport` does, but once rather than once per file.
 */
async function registerTsx(): Promise<TsxApi | undefined> {
  type Register = { register(options: { namespace: string }): unknown };
  let esm: Register;
  let cjs: Register;
  try {
    [esm, cjs] = (await Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")])) as unknown as [Register, Register];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes("'tsx")) return undefined;
    throw error;
  }
  const namespace = `athanor-${process.pid}`;
  cjs.register({ namespace });
  return esm.register({ namespace }) as TsxApi;
}

function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

/** A CommonJS module seen through `import()` is `{ default: module.exports }`; unwrap compiled ES modules. */
function asNamespace(module: Record<string, unknown>): Record<string, unknown> {
  const inner = module.default as Record<string, unknown> | undefined;
  if (typeof inner === "object" && inner !== null && inner.__esModule === true) return inner;
  return module;
}
