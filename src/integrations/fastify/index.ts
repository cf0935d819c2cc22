import "./athanor-fastify-types.js";

export { athanorPlugin } from "./athanor-plugin.js";
export type { AthanorPluginOptions, HttpErrorOptions, HealthRoutesOptions, ResetRouteOptions } from "./athanor-plugin-options.js";
export type { AthanorFastifyTypes, RegisteredDatabase } from "./athanor-fastify-types.js";
export type { AthanorHandle } from "./athanor-handle.js";
export type { AthanorRouteConfig } from "./route-settings.js";
export { HTTP_ERROR_TABLE, type HttpErrorRule } from "./http-error-table.js";
export { httpErrorOf, type HttpError, type HttpErrorBody, type HttpErrorOfOptions } from "./http-error-of.js";
export { checkReadiness, type ReadinessOptions } from "../../health/check-readiness.js";
export type { ReadinessReport, ReadinessCheck } from "../../health/readiness-report.js";
