import { Cron } from "croner";
import { ApiError } from "../api-error.js";

/**
 * Refuses a schedule croner cannot read (400 `INVALID_SCHEDULE`), so the scheduler only
 * meets valid expressions. NULL (not scheduled) passes. Five fields (minutes) or six (seconds).
 *
 * @example
 * ```ts
 * checkSchedule("*\/5 * * * *"); // fine
 * checkSchedule("every day");    // throws ApiError 400
 * ```
 */
export function checkSchedule(schedule: string | null | undefined): void {
  if (schedule === null || schedule === undefined) return;
  try {
    new Cron(schedule, { paused: true, timezone: "Etc/UTC", mode: "5-or-6-parts" }).stop();
  } catch (error) {
    throw new ApiError(400, "INVALID_SCHEDULE", `"${schedule}" is not a cron expression: ${(error as Error).message}`);
  }
}
