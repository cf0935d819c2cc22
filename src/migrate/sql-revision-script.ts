import { InvalidRevisionScriptError } from "../errors.js";
import type { RevisionScript } from "./revision-script.js";

/** Placeholder until the .sql parser lands: refuse clearly rather than skip. */
export function sqlRevisionScript(path: string, _text: string): RevisionScript {
  throw new InvalidRevisionScriptError(path, ".sql revisions are not supported yet");
}
