CREATE TABLE "run_reads" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"key_norm" text NOT NULL,
	"account" jsonb NOT NULL,
	"account_hash" text,
	"keys" text[] NOT NULL,
	"quiet" boolean NOT NULL
);
--> statement-breakpoint
DROP INDEX "run_accounts_run_key";--> statement-breakpoint
ALTER TABLE "run_accounts" ALTER COLUMN "candidates" SET DEFAULT '[]'::jsonb;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "account_hash" text;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "quiet" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "keys" text[];--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "link_id" text;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "settled_situation" text;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD COLUMN "settled_response" text;--> statement-breakpoint
ALTER TABLE "run_accounts" DROP COLUMN "link";--> statement-breakpoint
ALTER TABLE "run_reads" SET UNLOGGED;