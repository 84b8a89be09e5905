CREATE TABLE "live_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"config_id" text NOT NULL,
	"object_key" text NOT NULL,
	"op" text NOT NULL,
	"attributes" jsonb,
	"source" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"done_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_changes_op" CHECK ("live_changes"."op" in ('upsert', 'delete')),
	CONSTRAINT "live_changes_source" CHECK ("live_changes"."source" in ('webhook', 'poll'))
);
--> statement-breakpoint
ALTER TABLE "managed_systems" ADD COLUMN "live_changes" jsonb;--> statement-breakpoint
ALTER TABLE "managed_systems" ADD COLUMN "encrypted_webhook_secret" text;--> statement-breakpoint
ALTER TABLE "live_changes" ADD CONSTRAINT "live_changes_config_id_recon_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."recon_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "live_changes_pending" ON "live_changes" USING btree ("config_id","id") WHERE "live_changes"."done_at" is null;