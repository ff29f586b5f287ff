CREATE TABLE `websub_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `websub_deliveries_event_subscription` ON `websub_deliveries` (`event_id`,`subscription_id`);--> statement-breakpoint
CREATE INDEX `websub_deliveries_subscription_created` ON `websub_deliveries` (`subscription_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `websub_deliveries_pending_due` ON `websub_deliveries` (`next_attempt_at`) WHERE state = 'pending';--> statement-breakpoint
CREATE TABLE `websub_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`mode` text NOT NULL,
	`topic` text NOT NULL,
	`callback` text NOT NULL,
	`callback_host` text NOT NULL,
	`lease_seconds` integer,
	`secret` text,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `websub_requests_pair` ON `websub_requests` (`topic`,`callback`) WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX `websub_requests_host_created` ON `websub_requests` (`callback_host`,`created_at`);--> statement-breakpoint
CREATE INDEX `websub_requests_pending_due` ON `websub_requests` (`next_attempt_at`) WHERE state = 'pending';--> statement-breakpoint
CREATE TABLE `websub_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`topic` text NOT NULL,
	`format` text NOT NULL,
	`query` text NOT NULL,
	`agreement` text,
	`commitment` text,
	`tag` text,
	`party_key` text,
	`types` text,
	`callback` text NOT NULL,
	`callback_host` text NOT NULL,
	`secret` text,
	`lease_seconds` integer NOT NULL,
	`state` text DEFAULT 'active' NOT NULL,
	`subscribed_at` integer NOT NULL,
	`verified_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `websub_subscriptions_topic_callback` ON `websub_subscriptions` (`topic`,`callback`);--> statement-breakpoint
CREATE INDEX `websub_subscriptions_host` ON `websub_subscriptions` (`callback_host`) WHERE state = 'active';--> statement-breakpoint
CREATE INDEX `websub_subscriptions_active_expiry` ON `websub_subscriptions` (`expires_at`) WHERE state = 'active';