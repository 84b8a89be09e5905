CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "api_tokens_role_check" CHECK ("api_tokens"."role" in ('admin', 'viewer'))
);
--> statement-breakpoint
CREATE TABLE "entitlements" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"system_id" text NOT NULL,
	"account_key" text NOT NULL,
	"idm_object_id" text,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idm_memberships" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"member_id" text NOT NULL,
	"target_id" text NOT NULL,
	"system_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idm_objects" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"login" text,
	"email" text,
	"employee_id" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "idm_objects_type_check" CHECK ("idm_objects"."type" in ('User', 'Group', 'Role', 'Organization')),
	CONSTRAINT "idm_objects_status_check" CHECK ("idm_objects"."status" in ('active', 'disabled', 'deleted'))
);
--> statement-breakpoint
CREATE TABLE "links" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"system_id" text NOT NULL,
	"object_type" text NOT NULL,
	"account_key" text NOT NULL,
	"idm_object_id" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"stale_since" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "links_status_check" CHECK ("links"."status" in ('active', 'stale', 'tombstone'))
);
--> statement-breakpoint
CREATE TABLE "managed_systems" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"trusted" boolean DEFAULT false NOT NULL,
	"unique_field_key" text NOT NULL,
	"connection" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"encrypted_secrets" text,
	"attributes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"outbound_mapping" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "managed_systems_name_unique" UNIQUE("name"),
	CONSTRAINT "managed_systems_type_check" CHECK ("managed_systems"."type" in ('csv', 'sql', 'ldap'))
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"path" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"hash" text NOT NULL,
	"kind" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_builds" (
	"hash" text PRIMARY KEY NOT NULL,
	"kind" text,
	"code" text,
	"source_map" text,
	"diagnostics" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recon_configs" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"system_id" text NOT NULL,
	"name" text,
	"object_type" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"frequency" text,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"notification_email" text,
	"send_do_nothing_report" boolean DEFAULT false NOT NULL,
	"report_format" text DEFAULT 'html' NOT NULL,
	"target_query_policy" text,
	"target_search_filter" text,
	"idm_query_policy" text,
	"idm_search_filter" jsonb,
	"updated_since" timestamp with time zone,
	"source_attribute_name" text,
	"idm_field" text,
	"idm_custom_attribute" text,
	"matching_policy" text,
	"pre_processor_policy" text,
	"post_processor_policy" text,
	"custom_processor_policy" text,
	"policy_map" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"attribute_sync" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"deletion_threshold" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"stale_days" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recon_configs_object_type_check" CHECK ("recon_configs"."object_type" in ('User', 'Group', 'Role', 'Organization'))
);
--> statement-breakpoint
CREATE TABLE "recon_situations" (
	"config_id" text NOT NULL,
	"situation" text NOT NULL,
	"response" text DEFAULT 'DO_NOTHING' NOT NULL,
	"population_policy" text,
	"command_policy" text,
	CONSTRAINT "recon_situations_config_id_situation_pk" PRIMARY KEY("config_id","situation"),
	CONSTRAINT "recon_situations_situation_check" CHECK ("recon_situations"."situation" in ('IDM_EXISTS__RESOURCE_EXISTS', 'IDM_EXISTS__RESOURCE_NOT_EXISTS', 'IDM_NOT_EXISTS__RESOURCE_EXISTS', 'IDM_DELETED__RESOURCE_EXISTS', 'DISPUTED')),
	CONSTRAINT "recon_situations_response_check" CHECK ("recon_situations"."response" in ('DO_NOTHING', 'ADD_TO_IDM', 'UPDATE_IDM_FROM_RESOURCE', 'DELETE_FROM_IDM', 'DISABLE_IN_IDM', 'ADD_TO_RESOURCE', 'UPDATE_RESOURCE_FROM_IDM', 'DELETE_FROM_RESOURCE', 'DISABLE_IN_RESOURCE'))
);
--> statement-breakpoint
CREATE TABLE "run_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"object_key" text,
	"idm_object_id" text,
	"situation" text,
	"response" text,
	"action" jsonb,
	"diff" jsonb,
	"policy_output" jsonb,
	"outcome" text NOT NULL,
	"error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_events_outcome_check" CHECK ("run_events"."outcome" in ('planned', 'applied', 'skipped', 'failed', 'recorded'))
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"config_id" text,
	"dry_run" boolean DEFAULT false NOT NULL,
	"mode" text DEFAULT 'full' NOT NULL,
	"trigger" text DEFAULT 'manual' NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"phase" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"counts" jsonb DEFAULT '{"situations":{},"responses":{},"errors":0}'::jsonb NOT NULL,
	"throughput" real,
	"watermark_before" text,
	"watermark_after" text,
	"vars" jsonb,
	"error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "runs_status_check" CHECK ("runs"."status" in ('queued', 'running', 'succeeded', 'failed', 'stopped_by_threshold', 'aborted_by_preprocessor', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "watermarks" (
	"config_id" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"run_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_system_id_managed_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."managed_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_idm_object_id_idm_objects_id_fk" FOREIGN KEY ("idm_object_id") REFERENCES "public"."idm_objects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idm_memberships" ADD CONSTRAINT "idm_memberships_member_id_idm_objects_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."idm_objects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idm_memberships" ADD CONSTRAINT "idm_memberships_target_id_idm_objects_id_fk" FOREIGN KEY ("target_id") REFERENCES "public"."idm_objects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idm_memberships" ADD CONSTRAINT "idm_memberships_system_id_managed_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."managed_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "links" ADD CONSTRAINT "links_system_id_managed_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."managed_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recon_configs" ADD CONSTRAINT "recon_configs_system_id_managed_systems_id_fk" FOREIGN KEY ("system_id") REFERENCES "public"."managed_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recon_situations" ADD CONSTRAINT "recon_situations_config_id_recon_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."recon_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_events" ADD CONSTRAINT "run_events_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_config_id_recon_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."recon_configs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "watermarks" ADD CONSTRAINT "watermarks_config_id_recon_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."recon_configs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "watermarks" ADD CONSTRAINT "watermarks_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "entitlements_unique" ON "entitlements" USING btree ("system_id","account_key","value");--> statement-breakpoint
CREATE INDEX "entitlements_idm_object" ON "entitlements" USING btree ("idm_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "idm_memberships_unique" ON "idm_memberships" USING btree ("member_id","target_id",coalesce("system_id", ''));--> statement-breakpoint
CREATE INDEX "idm_memberships_target" ON "idm_memberships" USING btree ("target_id");--> statement-breakpoint
CREATE INDEX "idm_objects_type_name" ON "idm_objects" USING btree ("type","name");--> statement-breakpoint
CREATE INDEX "idm_objects_type_login" ON "idm_objects" USING btree ("type","login");--> statement-breakpoint
CREATE INDEX "idm_objects_type_email" ON "idm_objects" USING btree ("type",lower("email"));--> statement-breakpoint
CREATE INDEX "idm_objects_type_employee_id" ON "idm_objects" USING btree ("type","employee_id");--> statement-breakpoint
CREATE INDEX "idm_objects_attributes" ON "idm_objects" USING gin ("attributes" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "idm_objects_updated_at" ON "idm_objects" USING btree ("type","updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "links_system_key" ON "links" USING btree ("system_id","object_type","account_key");--> statement-breakpoint
CREATE INDEX "links_idm_object" ON "links" USING btree ("idm_object_id");--> statement-breakpoint
CREATE UNIQUE INDEX "run_events_run_seq" ON "run_events" USING btree ("run_id","seq");--> statement-breakpoint
CREATE INDEX "run_events_run_situation" ON "run_events" USING btree ("run_id","situation");--> statement-breakpoint
CREATE INDEX "run_events_run_outcome" ON "run_events" USING btree ("run_id","outcome");--> statement-breakpoint
CREATE INDEX "runs_config_created" ON "runs" USING btree ("config_id","created_at");--> statement-breakpoint
CREATE INDEX "runs_created" ON "runs" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_one_active_per_config" ON "runs" USING btree ("config_id") WHERE "runs"."status" in ('queued', 'running');