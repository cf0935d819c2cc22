/**
 * A column's portable type: what the schema declares, what DDL maps per backend and what
 * introspection reads back. Plain data, so models compare with deep equality.
 *
 * @example
 * ```ts
 * const type: PortableType = { kind: "varchar", length: 255 };
 * ```
 */
export type PortableType =
  | { readonly kind: "uuid" }
  | { readonly kind: "text" }
  | { readonly kind: "varchar"; readonly length: number }
  | { readonly kind: "integer" }
  | { readonly kind: "bigint" }
  | { readonly kind: "float" }
  | { readonly kind: "numeric"; readonly precision: number; readonly scale: number }
  | { readonly kind: "boolean" }
  | { readonly kind: "timestamp" }
  | { readonly kind: "date" }
  | { readonly kind: "json" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "bytes" }
  | { readonly kind: "vector"; readonly dimensions: number }
  /** Only produced by introspection: a column whose SQL type has no portable equivalent. */
  | { readonly kind: "unknown"; readonly sql: string };

/** The `kind` of a {@link PortableType}. */
export type PortableTypeKind = PortableType["kind"];
