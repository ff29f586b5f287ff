-- History is append-only: the feeds, alerts and audit trail all rely on events never changing.
CREATE TRIGGER `events_no_update` BEFORE UPDATE ON `events`
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `events_no_delete` BEFORE DELETE ON `events`
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
--> statement-breakpoint
-- Default order of GET /api/v1/commitments (deadline, open-ended last, then id) for keyset
-- pagination; commitments.repo.ts orders by exactly this expression.
CREATE INDEX `commitments_list_order` ON `commitments` (coalesce(`due_at`, 9007199254740991), `id`);
