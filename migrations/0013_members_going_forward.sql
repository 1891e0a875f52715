CREATE TABLE "register_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "register_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"position" bigint,
	"mediator_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "register_changes_position_unique" UNIQUE("position")
);
--> statement-breakpoint
CREATE TABLE "register_head" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"position" bigint DEFAULT 0 NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "register_head_singleton" CHECK ("register_head"."singleton")
);
--> statement-breakpoint
CREATE TABLE "register_pending" (
	"txid" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "register_settings_versions" (
	"version" integer PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"reason" text NOT NULL,
	"changed_by" uuid,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "mediators_public_name_idx";--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "settings_version" integer;--> statement-breakpoint
ALTER TABLE "mediators" ADD COLUMN "imported_on" date;--> statement-breakpoint
ALTER TABLE "mediators" ADD COLUMN "sort_name" text COLLATE "C" GENERATED ALWAYS AS (register_search_text(full_name, NULL)) STORED;--> statement-breakpoint
CREATE INDEX "register_changes_unsealed_idx" ON "register_changes" USING btree ("id") WHERE position IS NULL;--> statement-breakpoint
CREATE INDEX "mediators_public_name_idx" ON "mediators" USING btree ("sort_name","id") WHERE status = 'accredited';