CREATE TABLE "run_notifications" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"run_id" text NOT NULL,
	"kind" text NOT NULL,
	"to" jsonb NOT NULL,
	"message" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"next_attempt_at" timestamp with time zone,
	"claimed_until" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_notifications_kind_check" CHECK ("run_notifications"."kind" in ('completion', 'do_nothing')),
	CONSTRAINT "run_notifications_status_check" CHECK ("run_notifications"."status" in ('queued', 'sent', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "run_notifications" ADD CONSTRAINT "run_notifications_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "run_notifications_run_kind" ON "run_notifications" USING btree ("run_id","kind");--> statement-breakpoint
CREATE INDEX "run_notifications_due" ON "run_notifications" USING btree ("status","next_attempt_at");