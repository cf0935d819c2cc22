import type { PortableType } from "./portable-type.js";
import type { DefaultModel } from "./schema-model.js";

/** A literal default as declared (JS value) → its model form, so declared and introspected defaults compare equal. */
export function declaredDefault(type: PortableType, value: DefaultModel): DefaultModel {
  if (value.kind !== "value" || value.value === null) return value;
  const v = value.value;
  switch (type.kind) {
    case "bigint": return { kind: "value", value: String(v) };
    case "numeric": return { kind: "value", value: fixedScale(v, type.scale) };
    case "timestamp": return { kind: "value", value: new Date(String(v)).toISOString() };
    case "json": case "boolean": case "integer": case "float": return value;
    default: return { kind: "value", value: String(v) };
  }
}

/** A default read from the catalog (text, numbers, booleans) → its model form. */
export function catalogDefault(type: PortableType, value: DefaultModel): DefaultModel {
  if (value.kind !== "value" || value.value === null) return value;
  const v = value.value;
  switch (type.kind) {
    case "boolean": return { kind: "value", value: v === true || v === 1 || v === "1" || v === "t" || v === "true" };
    case "integer": case "float": return { kind: "value", value: Number(v) };
    case "bigint": return { kind: "value", value: String(v) };
    case "numeric": return { kind: "value", value: fixedScale(v, type.scale) };
    case "json": return { kind: "value", value: typeof v === "string" ? JSON.parse(v) : v };
    case "timestamp": return { kind: "value", value: parseCatalogTimestamp(String(v)).toISOString() };
    default: return { kind: "value", value: String(v) };
  }
}

function fixedScale(value: unknown, scale: number): string {
  return Number(value).toFixed(scale);
}

// PostgreSQL prints timestamptz literals as "2024-01-01 00:00:00+00".
function parseCatalogTimestamp(text: string): Date {
  const iso = text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  return new Date(iso);
}
