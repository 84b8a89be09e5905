CREATE TABLE "decision_memos" (
	"config_id" text NOT NULL,
	"key_norm" text NOT NULL,
	"account_hash" text NOT NULL,
	"idm_object_id" text NOT NULL,
	"idm_version" integer NOT NULL,
	"basis" text NOT NULL,
	"situation" text NOT NULL,
	"response" text NOT NULL,
	CONSTRAINT "decision_memos_config_id_key_norm_pk" PRIMARY KEY("config_id","key_norm")
);
--> statement-breakpoint
ALTER TABLE "decision_memos" ADD CONSTRAINT "decision_memos_config_id_recon_configs_id_fk" FOREIGN KEY ("config_id") REFERENCES "public"."recon_configs"("id") ON DELETE cascade ON UPDATE no action;