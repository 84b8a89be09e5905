CREATE TABLE "run_snapshots" (
	"run_id" text NOT NULL,
	"config_id" text NOT NULL,
	"part" integer NOT NULL,
	"lines" integer NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_snapshots_run_id_part_pk" PRIMARY KEY("run_id","part")
);
--> statement-breakpoint
ALTER TABLE "runs" DROP CONSTRAINT "runs_trigger_check";--> statement-breakpoint
ALTER TABLE "run_snapshots" ADD CONSTRAINT "run_snapshots_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_snapshots" ADD CONSTRAINT "run_snapshots_config_id_recon_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."recon_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_snapshots_config" ON "run_snapshots" USING btree ("config_id");--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_trigger_check" CHECK ("runs"."trigger" in ('manual', 'api', 'cli', 'schedule', 'apply', 'live', 'undo', 'replay'));