CREATE TABLE `draft_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`agreement_id` text,
	`text` text NOT NULL,
	`signed_on` text,
	`parties` text NOT NULL,
	`source_url` text,
	`actor` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `draft_batches_agreement` ON `draft_batches` (`agreement_id`,`id`);--> statement-breakpoint
CREATE TABLE `drafts` (
	`id` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`seq` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`title` text NOT NULL,
	`quote` text NOT NULL,
	`span_start` integer NOT NULL,
	`span_end` integer NOT NULL,
	`parties` text NOT NULL,
	`deadline` text,
	`cues` text DEFAULT '[]' NOT NULL,
	`confidence` real NOT NULL,
	`commitment_id` text,
	`decided_at` integer,
	`decided_by` text,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `drafts_batch` ON `drafts` (`batch_id`,`seq`);--> statement-breakpoint
CREATE INDEX `drafts_status` ON `drafts` (`status`,`batch_id`,`seq`);