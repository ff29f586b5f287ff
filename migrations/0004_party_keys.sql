ALTER TABLE `agreements` ADD `party_keys` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `commitments` ADD `party_keys` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `party_keys` text;--> statement-breakpoint
-- Backfill: SQLite's lower() folds ASCII only, which is exactly lib/parties.ts partyKey for
-- ASCII names; names with other letters keep their pre-0004 (ASCII-only) key until the row is
-- next written, when the service writes the full key (README "Party names").
UPDATE `agreements` SET `party_keys` = (SELECT json_group_array(lower(value)) FROM json_each(`agreements`.`parties`));--> statement-breakpoint
UPDATE `commitments` SET `party_keys` = (SELECT json_group_array(lower(value)) FROM json_each(`commitments`.`parties`));--> statement-breakpoint
UPDATE `subscriptions` SET `party_keys` = (SELECT json_group_array(lower(value)) FROM json_each(`subscriptions`.`parties`)) WHERE `parties` IS NOT NULL;
