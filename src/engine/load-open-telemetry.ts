import { createRequire } from "node:module";
import { DriverMissingError } from "../errors.js";
import type { OpenTelemetryApi } from "./open-telemetry-api.js";

const require = createRequire(import.meta.url);

/**
 * Loads `@opentelemetry/api` when tracing or metrics are turned on, and only then: an engine
 * without them never resolves it. Synchronous (the package ships CommonJS), so `createEngine`
 * stays synchronous; resolved from Athanor's location, which finds the application's copy, the
 * one its SDK registers with.
 */
export function loadOpenTelemetry(feature: "tracing" | "metrics"): OpenTelemetryApi {
  try {
    return require("@opentelemetry/api") as OpenTelemetryApi;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") {
      throw new DriverMissingError(`the "@opentelemetry/api" package is needed for the ${feature} option: npm install @opentelemetry/api`, { cause });
    }
    throw new DriverMissingError(`the "@opentelemetry/api" package could not be loaded for the ${feature} option: ${(cause as Error).message}`, { cause });
  }
}
