CREATE TABLE `agreements` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`kind` text NOT NULL,
	`signed_on` text,
	`parties` text NOT NULL,
	`source_url` text,
	`summary` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `commitment_dependencies` (
	`commitment_id` text NOT NULL,
	`depends_on_id` text NOT NULL,
	PRIMARY KEY(`commitment_id`, `depends_on_id`),
	FOREIGN KEY (`commitment_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`depends_on_id`) REFERENCES `commitments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `commitment_dependencies_reverse` ON `commitment_dependencies` (`depends_on_id`);--> statement-breakpoint
CREATE TABLE `commitments` (
	`id` text PRIMARY KEY NOT NULL,
	`agreement_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`parties` text NOT NULL,
	`tags` text NOT NULL,
	`evidence` text NOT NULL,
	`time_zone` text DEFAULT 'UTC' NOT NULL,
	`deadline` text,
	`due_at` integer,
	`due_on` text,
	`overdue_at` integer,
	`status` text NOT NULL,
	`status_changed_at` integer NOT NULL,
	`closed_at` integer,
	`due_soon_notified_days` integer,
	`overdue_notified` integer DEFAULT false NOT NULL,
	`next_alert_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`agreement_id`) REFERENCES `agreements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `commitments_agreement_due` ON `commitments` (`agreement_id`,`due_at`);--> statement-breakpoint
CREATE INDEX `commitments_open_next_alert` ON `commitments` (`next_alert_at`) WHERE closed_at IS NULL;--> statement-breakpoint
CREATE INDEX `commitments_open_due` ON `commitments` (`due_at`) WHERE closed_at IS NULL;--> statement-breakpoint
CREATE INDEX `commitments_open_overdue` ON `commitments` (`overdue_at`) WHERE closed_at IS NULL;--> statement-breakpoint
CREATE INDEX `commitments_status` ON `commitments` (`status`);--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`commitment_id` text,
	`agreement_id` text,
	`from_value` text,
	`to_value` text,
	`note` text,
	`evidence_url` text,
	`actor` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	`data` text,
	`dedupe_key` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_unique` ON `events` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_dedupeKey_unique` ON `events` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `events_commitment_seq` ON `events` (`commitment_id`,`seq`);--> statement-breakpoint
CREATE INDEX `events_agreement_seq` ON `events` (`agreement_id`,`seq`);--> statement-breakpoint
CREATE INDEX `events_type_seq` ON `events` (`type`,`seq`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_name_unique` ON `api_tokens` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_tokenHash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `write_guards` (
	`ok` integer NOT NULL,
	CONSTRAINT "write_guards_ok" CHECK("write_guards"."ok" = 1)
);
