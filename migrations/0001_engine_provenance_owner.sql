ALTER TABLE "idm_objects" ADD COLUMN "attribute_sources" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "recon_configs" ADD COLUMN "entitlement_attribute" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "owner" text;