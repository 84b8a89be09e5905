CREATE TABLE "idm_key_sets" (
	"idm_object_id" text NOT NULL,
	"kind" text NOT NULL,
	"version" integer NOT NULL,
	CONSTRAINT "idm_key_sets_idm_object_id_kind_pk" PRIMARY KEY("idm_object_id","kind")
);
--> statement-breakpoint
CREATE TABLE "idm_keys" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"idm_object_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_accounts" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"key_norm" text NOT NULL,
	"account" jsonb NOT NULL,
	"idm_object_id" text,
	"via" text,
	"candidates" jsonb NOT NULL,
	"link" jsonb,
	CONSTRAINT "run_accounts_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "run_seen" (
	"run_id" text NOT NULL,
	"idm_object_id" text NOT NULL,
	CONSTRAINT "run_seen_run_id_idm_object_id_pk" PRIMARY KEY("run_id","idm_object_id")
);
--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "key_norm" text;--> statement-breakpoint
ALTER TABLE "idm_key_sets" ADD CONSTRAINT "idm_key_sets_idm_object_id_idm_objects_id_fk" FOREIGN KEY ("idm_object_id") REFERENCES "public"."idm_objects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idm_keys" ADD CONSTRAINT "idm_keys_idm_object_id_idm_objects_id_fk" FOREIGN KEY ("idm_object_id") REFERENCES "public"."idm_objects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_accounts" ADD CONSTRAINT "run_accounts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_seen" ADD CONSTRAINT "run_seen_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "idm_keys_kind_key" ON "idm_keys" USING btree ("kind","key","idm_object_id");--> statement-breakpoint
CREATE INDEX "idm_keys_object" ON "idm_keys" USING btree ("idm_object_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "run_accounts_run_key" ON "run_accounts" USING btree ("run_id","key_norm");--> statement-breakpoint
CREATE INDEX "run_accounts_run_idm" ON "run_accounts" USING btree ("run_id","idm_object_id");--> statement-breakpoint
CREATE INDEX "links_system_key_norm" ON "links" USING btree ("system_id","object_type","key_norm");