CREATE TABLE "idm_actions" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"idm_object_id" text NOT NULL,
	"act" text NOT NULL,
	"actor" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idm_actions_act_check" CHECK ("idm_actions"."act" in ('enabled', 'disabled', 'linked', 'unlinked'))
);
--> statement-breakpoint
ALTER TABLE "managed_systems" ADD COLUMN "last_test" jsonb;--> statement-breakpoint
ALTER TABLE "managed_systems" ADD COLUMN "last_test_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "idm_actions_object" ON "idm_actions" USING btree ("idm_object_id","created_at");