ALTER TABLE "runs" DROP CONSTRAINT "runs_trigger_check";--> statement-breakpoint
ALTER TABLE "run_events" ADD COLUMN "before" jsonb;--> statement-breakpoint
ALTER TABLE "run_events" ADD COLUMN "correlation" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "undo_of" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "config_snapshot" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_trigger_check" CHECK ("runs"."trigger" in ('manual', 'api', 'cli', 'schedule', 'apply', 'live', 'undo'));