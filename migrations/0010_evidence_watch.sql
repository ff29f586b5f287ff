CREATE TABLE `proposals` (
	`id` text PRIMARY KEY NOT NULL,
	`commitment_id` text NOT NULL,
	`source_id` text NOT NULL,
	`item_key` text NOT NULL,
	`item_title` text NOT NULL,
	`item_url` text,
	`item_published_at` integer,
	`snippet` text NOT NULL,
	`score` real NOT NULL,
	`suggested_status` text,
	`evidence_url` text,
	`evidence_title` text,
	`state` text DEFAULT 'open' NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`decision_note` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `proposals_commitment_item` ON `proposals` (`commitment_id`,`item_key`);--> statement-breakpoint
CREATE INDEX `proposals_state_id` ON `proposals` (`state`,`id`);--> statement-breakpoint
CREATE TABLE `source_items` (
	`source_id` text NOT NULL,
	`item_key` text NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`source_id`, `item_key`)
);
--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`kind` text NOT NULL,
	`agreements` text,
	`parties` text,
	`party_keys` text,
	`keywords` text,
	`every` text NOT NULL,
	`every_ms` integer NOT NULL,
	`state` text DEFAULT 'active' NOT NULL,
	`etag` text,
	`last_modified` text,
	`page_blocks` text,
	`last_fetched_at` integer,
	`last_status` integer,
	`last_error` text,
	`last_success_at` integer,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`next_poll_at` integer NOT NULL,
	`items_seen` integer DEFAULT 0 NOT NULL,
	`proposals_made` integer DEFAULT 0 NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sources_active_next_poll` ON `sources` (`next_poll_at`) WHERE state = 'active';--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `remind_every` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `remind_every_ms` integer;--> statement-breakpoint
ALTER TABLE `sweep_runs` ADD `stale` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sweep_runs` ADD `reminders` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `commitments` ADD `keywords` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `commitments` ADD `last_verified_at` integer;--> statement-breakpoint
ALTER TABLE `commitments` ADD `verify_every` text;--> statement-breakpoint
ALTER TABLE `commitments` ADD `stale_at` integer;--> statement-breakpoint
ALTER TABLE `commitments` ADD `next_stale_alert_at` integer;--> statement-breakpoint
CREATE INDEX `commitments_open_stale_alert` ON `commitments` (`next_stale_alert_at`) WHERE closed_at IS NULL;--> statement-breakpoint
CREATE INDEX `commitments_open_stale` ON `commitments` (`stale_at`) WHERE closed_at IS NULL;--> statement-breakpoint
-- custom (not from drizzle-kit)
-- The evidence watch's full-text index of commitments (watch/match.repo.ts): an external-content
-- FTS5 table over the commitments' own columns, keyed by their rowid, kept in step by the three
-- triggers below on every write path (create, PATCH, status, import, delete). Porter stemming
-- over unicode61 without diacritics: "meeting" finds "meet", "Azərbaycan" finds "Azerbaycan".
-- If rowids ever change (a VACUUM of a table without INTEGER PRIMARY KEY may renumber them),
-- `INSERT INTO commitments_fts(commitments_fts) VALUES('rebuild')` re-derives it from the table.
CREATE VIRTUAL TABLE `commitments_fts` USING fts5(
  title, description, parties, tags, keywords,
  content='commitments', content_rowid='rowid',
  tokenize='porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `commitments_fts_insert` AFTER INSERT ON `commitments`
BEGIN
  INSERT INTO commitments_fts(rowid, title, description, parties, tags, keywords)
  VALUES (new.rowid, new.title, new.description, new.parties, new.tags, new.keywords);
END;
--> statement-breakpoint
CREATE TRIGGER `commitments_fts_delete` AFTER DELETE ON `commitments`
BEGIN
  INSERT INTO commitments_fts(commitments_fts, rowid, title, description, parties, tags, keywords)
  VALUES ('delete', old.rowid, old.title, old.description, old.parties, old.tags, old.keywords);
END;
--> statement-breakpoint
CREATE TRIGGER `commitments_fts_update` AFTER UPDATE OF title, description, parties, tags, keywords ON `commitments`
BEGIN
  INSERT INTO commitments_fts(commitments_fts, rowid, title, description, parties, tags, keywords)
  VALUES ('delete', old.rowid, old.title, old.description, old.parties, old.tags, old.keywords);
  INSERT INTO commitments_fts(rowid, title, description, parties, tags, keywords)
  VALUES (new.rowid, new.title, new.description, new.parties, new.tags, new.keywords);
END;
--> statement-breakpoint
INSERT INTO commitments_fts(commitments_fts) VALUES ('rebuild');
--> statement-breakpoint
-- Commitments written before 0006 are checked every 30 days (the default VERIFY_EVERY), counted
-- from their creation, as for a new commitment never verified (the period the sweep uses is
-- stale_at minus the last check or creation).
UPDATE `commitments` SET `verify_every` = 'P30D', `stale_at` = `created_at` + 2592000000, `next_stale_alert_at` = `created_at` + 2592000000;
