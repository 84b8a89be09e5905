CREATE TABLE "policy_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"object_key" text,
	"idm_object_id" text,
	"policy" text NOT NULL,
	"file" text,
	"line" integer,
	"column" integer,
	"level" text NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "policy_logs_level_check" CHECK ("policy_logs"."level" in ('debug', 'info', 'warn', 'error'))
);
--> statement-breakpoint
ALTER TABLE "policy_logs" ADD CONSTRAINT "policy_logs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "policy_logs_run_object" ON "policy_logs" USING btree ("run_id","object_key");--> statement-breakpoint
CREATE INDEX "policy_logs_run_idm_object" ON "policy_logs" USING btree ("run_id","idm_object_id");