CREATE TYPE "public"."cpd_category" AS ENUM('course', 'conference', 'peer_learning', 'self_study', 'delivering_training', 'other');--> statement-breakpoint
CREATE TYPE "public"."practice_kind" AS ENUM('send_mediation', 'send_co_mediation', 'other_mediation', 'supervision_received');--> statement-breakpoint
CREATE TYPE "public"."send_outcome" AS ENUM('agreement', 'partial', 'no_agreement', 'withdrawn');--> statement-breakpoint
CREATE TABLE "cpd_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mediator_id" uuid NOT NULL,
	"date" date NOT NULL,
	"hours" numeric(5, 2) NOT NULL,
	"category" "cpd_category" NOT NULL,
	"send_specific" boolean NOT NULL,
	"title" text NOT NULL,
	"provider" text,
	"reflection" text,
	"evidence_ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cpd_entries_hours" CHECK ("cpd_entries"."hours" BETWEEN 0.25 AND 40 AND mod("cpd_entries"."hours" * 4, 1) = 0)
);
--> statement-breakpoint
CREATE TABLE "practice_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mediator_id" uuid NOT NULL,
	"date" date NOT NULL,
	"hours" numeric(5, 2) NOT NULL,
	"kind" "practice_kind" NOT NULL,
	"outcome" "send_outcome",
	"case_reference" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "practice_entries_hours" CHECK ("practice_entries"."hours" BETWEEN 0.25 AND 24 AND mod("practice_entries"."hours" * 4, 1) = 0),
	CONSTRAINT "practice_entries_outcome" CHECK (("practice_entries"."outcome" IS NOT NULL) = ("practice_entries"."kind" IN ('send_mediation', 'send_co_mediation')))
);
--> statement-breakpoint
CREATE TABLE "rule_sets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"effective_from" date NOT NULL,
	"year_start_month" integer NOT NULL,
	"year_start_day" integer NOT NULL,
	"requirements" jsonb NOT NULL,
	"category_caps" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"grace_days" integer NOT NULL,
	"reminder_offsets" integer[] NOT NULL,
	"grace_reminder_days" integer NOT NULL,
	"pro_rate_first_period" boolean NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rule_sets_effective_from_unique" UNIQUE("effective_from"),
	CONSTRAINT "rule_sets_year_start" CHECK ("rule_sets"."year_start_month" BETWEEN 1 AND 12 AND "rule_sets"."year_start_day" BETWEEN 1 AND 28),
	CONSTRAINT "rule_sets_grace" CHECK ("rule_sets"."grace_days" >= 0 AND "rule_sets"."grace_reminder_days" >= 0)
);
--> statement-breakpoint
ALTER TABLE "cpd_entries" ADD CONSTRAINT "cpd_entries_mediator_id_mediators_id_fk" FOREIGN KEY ("mediator_id") REFERENCES "public"."mediators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "practice_entries" ADD CONSTRAINT "practice_entries_mediator_id_mediators_id_fk" FOREIGN KEY ("mediator_id") REFERENCES "public"."mediators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cpd_entries_mediator_date_idx" ON "cpd_entries" USING btree ("mediator_id","date","id");--> statement-breakpoint
CREATE INDEX "practice_entries_mediator_date_idx" ON "practice_entries" USING btree ("mediator_id","date","id");