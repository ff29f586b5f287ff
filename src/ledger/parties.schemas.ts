import * as v from "valibot";
import { Line, NameList, Slug } from "../lib/fields";
import { partyKey } from "../lib/parties";

/**
 * A party as an editor names it: the name to show and its aliases ("US", "USA" for "United
 * States"). Names and aliases compare by lib/parties.ts partyKey (case and accents ignored), so
 * an alias that is the name again, or repeats another, is refused naming it.
 */
export const PutParty = v.pipe(
  v.strictObject({
    name: Line(200),
    aliases: v.optional(NameList(50, 200)),
  }),
  v.forward(
    v.check((p) => !(p.aliases ?? []).some((a) => partyKey(a) === partyKey(p.name)), "must not repeat the name itself"),
    ["aliases"],
  ),
);
export type PutPartyInput = v.InferOutput<typeof PutParty>;

export const PartySlugParam = v.strictObject({ slug: Slug });
