CREATE TYPE "public"."application_status" AS ENUM('draft', 'submitted', 'under_assessment', 'assessed', 'approved', 'rejected', 'returned', 'withdrawn');--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mediator_id" uuid NOT NULL,
	"status" "application_status" DEFAULT 'draft' NOT NULL,
	"body" "body",
	"standards_version" text DEFAULT '2024' NOT NULL,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"verdicts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"recommendation" text,
	"assessment_notes" text,
	"assessed_by" uuid,
	"assessed_at" timestamp with time zone,
	"decision_reasons" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_providers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"approved_from" date NOT NULL,
	"approved_until" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "training_providers_period" CHECK ("training_providers"."approved_until" IS NULL OR "training_providers"."approved_until" >= "training_providers"."approved_from")
);
--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_mediator_id_mediators_id_fk" FOREIGN KEY ("mediator_id") REFERENCES "public"."mediators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "applications_one_open" ON "applications" USING btree ("mediator_id") WHERE status IN ('draft', 'submitted', 'under_assessment', 'assessed', 'returned');--> statement-breakpoint
CREATE INDEX "applications_queue_idx" ON "applications" USING btree ("status","body","submitted_at");