CREATE TABLE `commitment_parties` (
	`commitment_id` text NOT NULL,
	`party_key` text NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`party_key`, `commitment_id`),
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `commitment_parties_commitment` ON `commitment_parties` (`commitment_id`);--> statement-breakpoint
CREATE TABLE `parties` (
	`slug` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`aliases` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `party_aliases` (
	`key` text PRIMARY KEY NOT NULL,
	`party_slug` text NOT NULL,
	FOREIGN KEY (`party_slug`) REFERENCES `parties`(`slug`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `party_aliases_party` ON `party_aliases` (`party_slug`);--> statement-breakpoint
ALTER TABLE `agreements` ADD `in_force_on` text;--> statement-breakpoint
ALTER TABLE `commitments` ADD `waiting_on` text;--> statement-breakpoint
ALTER TABLE `commitments` ADD `anchor_id` text;--> statement-breakpoint
CREATE INDEX `commitments_open_waiting` ON `commitments` (`waiting_on`) WHERE closed_at IS NULL;--> statement-breakpoint
CREATE INDEX `commitments_anchor` ON `commitments` (`anchor_id`) WHERE anchor_id IS NOT NULL;--> statement-breakpoint
-- custom (not from drizzle-kit)
-- Backfill: one commitment_parties row per stored party key (party_keys[i] is the key of parties[i]).
INSERT OR IGNORE INTO `commitment_parties` (`commitment_id`, `party_key`, `name`)
  SELECT c.id, k.value, json_extract(c.parties, '$[' || k.key || ']') FROM commitments c, json_each(c.party_keys) k;
