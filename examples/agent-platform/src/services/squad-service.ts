import { UniqueViolationError, type Session } from "athanor";
import { ApiError } from "../api-error.js";
import type { DB } from "../schema.js";

/** A squad to create, with the roles of its first members. */
export interface NewSquad {
  readonly user_id: string;
  readonly name: string;
  readonly description?: string | null;
  readonly members?: ReadonlyArray<{ readonly role: string; readonly system_prompt?: string | null }>;
}

/** What {@link createSquad} made, and the members it skipped. */
export interface CreatedSquad {
  readonly squad: { id: string; user_id: string; name: string; status: string };
  readonly members: ReadonlyArray<{ id: string; role: string }>;
  /** Roles given twice: each member after the first of a role was skipped, the rest kept. */
  readonly skipped: readonly string[];
}

/**
 * Seed 002's `create_squad`, as part of the caller's unit of work (a request's `request.db`).
 * Each member is an optional step in a savepoint (`db.nested`): a member the database refuses
 * (a role the squad has already: the unique (squad_id, role) key) is undone alone and
 * reported, and the squad with its other members still commits.
 *
 * @example
 * ```ts
 * const { squad, skipped } = await createSquad(request.db, { user_id, name: "core", members: [{ role: "qa" }, { role: "qa" }] });
 * // skipped: ["qa"]
 * ```
 */
export async function createSquad(db: Session<DB>, input: NewSquad): Promise<CreatedSquad> {
  const squad = await db
    .insertInto("squads")
    .values({ user_id: input.user_id, name: input.name, description: input.description ?? null })
    .returning(["id", "user_id", "name", "status"])
    .executeTakeFirstOrThrow();
  const members: Array<{ id: string; role: string }> = [];
  const skipped: string[] = [];
  for (const member of input.members ?? []) {
    try {
      members.push(
        await db.nested((sp) =>
          sp
            .insertInto("squad_members")
            .values({ squad_id: squad.id, role: member.role, system_prompt: member.system_prompt ?? null })
            .returning(["id", "role"])
            .executeTakeFirstOrThrow(),
        ),
      );
    } catch (error) {
      if (!(error instanceof UniqueViolationError)) throw error;
      skipped.push(member.role); // only this member's savepoint was rolled back
    }
  }
  return { squad, members, skipped };
}

/** The outcome of {@link transferSquad}. */
export interface SquadTransfer {
  readonly id: string;
  readonly previous_owner_id: string;
  readonly user_id: string;
}

/**
 * Seed 002's `transfer_squad`: the squad's row is locked (`SELECT … FOR UPDATE`) before its
 * owner is read and changed, so two transfers of one squad run one after the other and the
 * second sees the first's owner. With `expectedOwnerId`, a transfer from an owner the squad
 * no longer has is refused (409) instead of silently overwriting the other transfer.
 * On SQLite `forUpdate()` compiles to nothing: the session's write lock already serialises it.
 *
 * @example
 * ```ts
 * await transferSquad(request.db, squadId, { newOwnerId, expectedOwnerId: currentOwnerId });
 * ```
 */
export async function transferSquad(db: Session<DB>, squadId: string, options: { newOwnerId: string; expectedOwnerId?: string | undefined }): Promise<SquadTransfer> {
  const squad = await db.selectFrom("squads").select(["id", "user_id"]).where("id", "=", squadId).forUpdate().executeTakeFirst();
  if (squad === undefined) throw new ApiError(404, "SQUAD_NOT_FOUND", "squad not found");
  if (options.expectedOwnerId !== undefined && squad.user_id !== options.expectedOwnerId) {
    throw new ApiError(409, "OWNER_CHANGED", "the squad's owner is no longer the expected one");
  }
  const owner = await db.selectFrom("users").select("id").where("id", "=", options.newOwnerId).executeTakeFirst();
  if (owner === undefined) throw new ApiError(404, "USER_NOT_FOUND", "new owner not found");
  await db.updateTable("squads").set({ user_id: options.newOwnerId }).where("id", "=", squadId).execute();
  return { id: squad.id, previous_owner_id: squad.user_id, user_id: options.newOwnerId };
}
