/**
 * The matching key of a party name: accents off (NFD, then the combining diacritical marks
 * U+0300-U+036F removed from Latin and Greek letters: "Türkiye" / "Turkiye", "Côte d'Ivoire" /
 * "Cote d'Ivoire"; Cyrillic й and other scripts' marks, which make another letter, stay), then Unicode case folding (upper then lower case
 * approximates full case folding: "ÉTAT" / "état" / "etat", "Straße" / "STRASSE", final
 * sigma), then NFC. One definition for every place parties are compared: the duplicate check of name
 * lists (lib/fields.ts), the stored `party_keys` columns of agreements, commitments and
 * subscriptions, and the party filters that match them in SQL (commitments.repo.ts,
 * feeds.repo.ts, alerts/fanout.ts) and in code (calendar.service.ts). SQLite's lower() folds
 * ASCII only, so SQL compares these keys and never folds by itself.
 */
/** A Latin or Greek letter and the combining accents on it (Cyrillic й, ё keep theirs: they are letters). */
const ACCENTED = /([\p{Script=Latin}\p{Script=Greek}])[\u0300-\u036f]+/gu;

export function partyKey(name: string): string {
  return name.normalize("NFD").replace(ACCENTED, "$1").toUpperCase().toLowerCase().normalize("NFC");
}

/** The keys of a list of names, in order (stored beside the names as JSON). */
export function partyKeys(names: readonly string[]): string[] {
  return names.map(partyKey);
}
