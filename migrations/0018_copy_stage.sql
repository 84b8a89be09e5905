DROP INDEX "run_accounts_run_key";--> statement-breakpoint
ALTER TABLE "run_accounts" ALTER COLUMN "candidates" SET DEFAULT '[]'::jsonb;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "account_hash" text;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "quiet" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "keys" text[];--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "link_id" text;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "settled_situation" text;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "settled_response" text;--> statement-breakpoint
CREATE INDEX "run_accounts_run_key" ON "run_accounts" USING btree ("run_id","key_norm");--> statement-breakpoint
ALTER TABLE "run_accounts" DROP COLUMN "link";