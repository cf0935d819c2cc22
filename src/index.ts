export * from "./engine/index.js";
export * from "./pool/index.js";
export * from "./session/index.js";
export type { HealthReport } from "./health/health-report.js";
export type { BackendCapabilities } from "./backends/backend-capabilities.js";
export * from "./errors.js";
export { defineConfig, type AthanorConfig } from "./cli/athanor-config.js";
export * from "./query/index.js";
export * from "./engine/replicas/index.js";
