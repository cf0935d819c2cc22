import type { IndexOptions } from "./schema-model.js";
/** The options an index model carries: only those given, so models compare equal to introspected ones. */
export function indexModelOptions(options: IndexOptions | undefined): IndexOptions {
  if (options === undefined) return {};
  return {
    ...(options.method === undefined ? {} : { method: options.method }),
    ...(options.operatorClass === undefined ? {} : { operatorClass: options.operatorClass }),
    ...(options.with === undefined || Object.keys(options.with).length === 0 ? {} : { with: Object.freeze({ ...options.with }) }),
  };
}
