CREATE TABLE "idm_key_kinds" (
	"kind" text NOT NULL,
	"object_type" text NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idm_key_kinds_kind_object_type_pk" PRIMARY KEY("kind","object_type")
);
