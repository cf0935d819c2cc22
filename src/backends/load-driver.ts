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

/**
 * Loads a package a driver itself depends on (`pg-connection-string` for `pg`), resolved from
 * the driver's own folder: Athanor uses the very copy the driver uses and adds no dependency.
 */
export function loadDriverDependency<T>(driver: "pg", name: string): T {
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
