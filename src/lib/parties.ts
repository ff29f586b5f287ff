/**
 * The matching key of a party name: NFC, then Unicode case folding (upper then lower case
 * approximates full case folding: "ÉTAT" / "état" / "e\u0301tat", "Straße" / "STRASSE", final
 * sigma). One definition for every place parties are compared: the duplicate check of name
 * lists (lib/fields.ts), the stored `party_keys` columns of agreements, commitments and
 * subscriptions, and the party filters that match them in SQL (commitments.repo.ts,
 * feeds.repo.ts, alerts/fanout.ts) and in code (calendar.service.ts). SQLite's lower() folds
 * ASCII only, so SQL compares these keys and never folds by itself.
 */
export function partyKey(name: string): string {
  return name.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC");
}

/** The keys of a list of names, in order (stored beside the names as JSON). */
export function partyKeys(names: readonly string[]): string[] {
  return names.map(partyKey);
}
