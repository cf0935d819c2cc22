// JSON schemas shared by the routes: Fastify validates requests against them (400 on a
// malformed id or body) before a handler, or the database, sees them.
import type { Page } from "athanor";

export const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

export interface IdParams {
  id: string;
}

export const pageQuery = {
  type: "object",
  properties: {
    page: { type: "integer", minimum: 1, default: 1 },
    per_page: { type: "integer", minimum: 1, maximum: 100, default: 20 },
  },
} as const;

export interface PageQuery {
  page: number;
  per_page: number;
}

/** A page as the API answers it (seed 002's `get_paginated_users`, with `items`). */
export interface PageBody<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
  pages: number;
}

/** Athanor's `Page` in the API's snake_case. */
export function pageBody<T>(page: Page<T>): PageBody<T> {
  return { items: page.items, total: page.total, page: page.page, per_page: page.perPage, pages: page.pages };
}

/** Options of a route that only reads: a read-only transaction (on SQLite, a reader beside the writer). */
export const readOnly = { athanor: { readOnly: true } } as const;
