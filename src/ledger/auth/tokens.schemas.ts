import * as v from "valibot";
import { RESERVED_ACTOR_NAMES, SCOPES } from "./tokens.service";

export const CreateToken = v.strictObject({
  name: v.pipe(
    v.string(),
    v.minLength(1, "must not be empty"),
    v.maxLength(64, "must be at most 64 characters"),
    v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-'"),
    v.check(
      (name) => !RESERVED_ACTOR_NAMES.includes(name.toLowerCase()),
      `must not be one of the system's own actor names (${RESERVED_ACTOR_NAMES.join(", ")}), in any case`,
    ),
  ),
  scope: v.picklist(SCOPES, `must be one of: ${SCOPES.join(", ")}`),
});
