ALTER TABLE `subscriptions` ADD `pruned_succeeded` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `pruned_failed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `pruned_cancelled` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `pruned_last_success_at` integer;--> statement-breakpoint
ALTER TABLE `sweep_runs` ADD `pruned` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `deliveries_settled_updated` ON `deliveries` (`state`,`updated_at`,`id`) WHERE state <> 'pending';