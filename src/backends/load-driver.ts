import { createRequire } from "node:module";
import { DriverMissingError } from "../errors.js";

const require = createRequire(import.meta.url);

/**
 * Loads an optional peer driver synchronously (both are CommonJS), so `createEngine` can
 * stay synchronous and connect lazily.
 */
export function loadDriver<T>(name: "pg" | "better-sqlite3"): T {
  try {
    return require(name) as T;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") {
      throw new DriverMissingError(`the "${name}" package is needed for this database URL: npm install ${name}`, { cause });
    }
    throw new DriverMissingError(`the "${name}" package could not be loaded: ${(cause as Error).message}`, { cause });
  }
}
