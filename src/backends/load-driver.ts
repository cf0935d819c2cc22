import { createRequire } from "node:module";
import { dirname } from "node:path";
import { DriverMissingError } from "../errors.js";

const require = createRequire(import.meta.url);

/** The optional peer packages a backend loads. */
export type DriverPackage = "pg" | "better-sqlite3" | "@electric-sql/pglite";

/**
 * Loads an optional peer driver synchronously (each ships CommonJS), so `createEngine` can
 * stay synchronous and connect lazily.
 */
export function loadDriver<T>(name: DriverPackage): T {
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

/**
 * Loads a package a driver itself depends on (`pg-connection-string` for `pg`), resolved from
 * the driver's own folder: Athanor uses the very copy the driver uses and adds no dependency.
 */
export function loadDriverDependency<T>(driver: DriverPackage, name: string): T {
  let driverPath: string;
  try {
    driverPath = require.resolve(driver);
  } catch (cause) {
    throw new DriverMissingError(`the "${driver}" package is needed for this database URL: npm install ${driver}`, { cause });
  }
  try {
    return createRequire(driverPath)(name) as T;
  } catch (cause) {
    throw new DriverMissingError(`"${name}", a dependency of "${driver}", could not be loaded: reinstall ${driver}`, { cause });
  }
}

/**
 * Loads a package that adds to a driver when it is installed (`@electric-sql/pglite-pgvector`);
 * `undefined` when it is not. Any other failure to load it is a {@link DriverMissingError}.
 */
export function loadOptionalPackage<T>(name: string): T | undefined {
  try {
    return require(name) as T;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if ((code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") && (cause as Error).message.includes(name)) return undefined;
    throw new DriverMissingError(`the "${name}" package could not be loaded: ${(cause as Error).message}`, { cause });
  }
}

/** The folder of an installed driver's main file (its files ship beside it); `undefined` when it cannot be found. */
export function driverEntryDirectory(name: DriverPackage): string | undefined {
  try {
    return dirname(require.resolve(name));
  } catch {
    return undefined;
  }
}
