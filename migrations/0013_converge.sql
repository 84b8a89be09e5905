ALTER TABLE "run_events" DROP CONSTRAINT "run_events_outcome_check";--> statement-breakpoint
ALTER TABLE "runs" DROP CONSTRAINT "runs_status_check";--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "scores" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "read_request" jsonb;--> statement-breakpoint
ALTER TABLE "run_events" ADD CONSTRAINT "run_events_outcome_check" CHECK ("run_events"."outcome" in ('planned', 'applied', 'unchanged', 'skipped', 'failed', 'recorded'));--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_status_check" CHECK ("runs"."status" in ('queued', 'running', 'succeeded', 'succeeded_with_errors', 'failed', 'stopped_by_threshold', 'stopped_by_guard', 'aborted_by_preprocessor', 'cancelled', 'skipped'));