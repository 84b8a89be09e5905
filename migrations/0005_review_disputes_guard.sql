CREATE TABLE "apply_checkpoints" (
	"run_id" text NOT NULL,
	"side" text NOT NULL,
	"checked_through" integer NOT NULL,
	CONSTRAINT "apply_checkpoints_run_id_side_pk" PRIMARY KEY("run_id","side")
);
--> statement-breakpoint
CREATE TABLE "disputes" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"config_id" text NOT NULL,
	"run_id" text,
	"object_key" text NOT NULL,
	"account" jsonb,
	"candidates" jsonb NOT NULL,
	"candidates_key" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"idm_object_id" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "disputes_status_check" CHECK ("disputes"."status" in ('open', 'resolved', 'dismissed'))
);
--> statement-breakpoint
ALTER TABLE "recon_configs" ADD COLUMN "source_guard" jsonb DEFAULT '{"minAccounts":1}'::jsonb;--> statement-breakpoint
ALTER TABLE "apply_checkpoints" ADD CONSTRAINT "apply_checkpoints_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_config_id_recon_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."recon_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "disputes_config_key" ON "disputes" USING btree ("config_id","object_key");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_one_apply_per_plan" ON "runs" USING btree ("applied_from") WHERE "runs"."applied_from" is not null;