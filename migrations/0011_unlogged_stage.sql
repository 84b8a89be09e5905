-- A run's stage is rebuilt from nothing when a cut-short planning phase starts again, so it needs
-- no write-ahead log: a crash of the database server empties it, which costs nothing.
ALTER TABLE "run_accounts" SET UNLOGGED;--> statement-breakpoint
ALTER TABLE "run_seen" SET UNLOGGED;
