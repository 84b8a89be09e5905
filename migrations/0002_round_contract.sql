ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_role_check";--> statement-breakpoint
ALTER TABLE "runs" DROP CONSTRAINT "runs_status_check";--> statement-breakpoint
ALTER TABLE "idm_objects" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "run_events" ADD COLUMN "account_hash" text;--> statement-breakpoint
ALTER TABLE "run_events" ADD COLUMN "idm_version" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "started_by" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "approved_by" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "applied_from" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "plan_hash" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "scheduled_for" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "policies" jsonb;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "keys" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "runs_one_per_tick" ON "runs" USING btree ("config_id","scheduled_for") WHERE "runs"."scheduled_for" is not null;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_role_check" CHECK ("api_tokens"."role" in ('admin', 'operator', 'viewer'));--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_mode_check" CHECK ("runs"."mode" in ('full', 'incremental', 'keys', 'live'));--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_trigger_check" CHECK ("runs"."trigger" in ('manual', 'api', 'cli', 'schedule', 'apply', 'live'));--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_status_check" CHECK ("runs"."status" in ('queued', 'running', 'succeeded', 'failed', 'stopped_by_threshold', 'stopped_by_guard', 'aborted_by_preprocessor', 'cancelled', 'skipped'));