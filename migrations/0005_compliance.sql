CREATE TYPE "public"."compliance_adjustment_kind" AS ENUM('exemption', 'extension');--> statement-breakpoint
CREATE TYPE "public"."compliance_outcome" AS ENUM('in_grace', 'compliant', 'non_compliant', 'exempt');--> statement-breakpoint
CREATE TABLE "compliance_adjustments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mediator_id" uuid NOT NULL,
	"period_start" date NOT NULL,
	"kind" "compliance_adjustment_kind" NOT NULL,
	"until" date,
	"reason" text NOT NULL,
	"decided_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compliance_adjustments_until" CHECK (("compliance_adjustments"."kind" = 'extension') = ("compliance_adjustments"."until" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "compliance_assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mediator_id" uuid NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"rule_set_id" uuid NOT NULL,
	"outcome" "compliance_outcome" NOT NULL,
	"deficits" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"grace_ends_on" date,
	"assessed_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "compliance_assessments_mediator_period_unique" UNIQUE("mediator_id","period_start"),
	CONSTRAINT "compliance_assessments_period_order" CHECK ("compliance_assessments"."period_start" <= "compliance_assessments"."period_end"),
	CONSTRAINT "compliance_assessments_grace" CHECK ("compliance_assessments"."outcome" <> 'in_grace' OR "compliance_assessments"."grace_ends_on" IS NOT NULL),
	CONSTRAINT "compliance_assessments_closed" CHECK (("compliance_assessments"."outcome" = 'in_grace') = ("compliance_assessments"."closed_at" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"as_of" date NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"counts" jsonb,
	"reminders_sent" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "compliance_adjustments" ADD CONSTRAINT "compliance_adjustments_mediator_id_mediators_id_fk" FOREIGN KEY ("mediator_id") REFERENCES "public"."mediators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_assessments" ADD CONSTRAINT "compliance_assessments_mediator_id_mediators_id_fk" FOREIGN KEY ("mediator_id") REFERENCES "public"."mediators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "compliance_adjustments_mediator_idx" ON "compliance_adjustments" USING btree ("mediator_id","period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "compliance_adjustments_one_exemption" ON "compliance_adjustments" USING btree ("mediator_id","period_start") WHERE kind = 'exemption';--> statement-breakpoint
CREATE INDEX "compliance_assessments_period_idx" ON "compliance_assessments" USING btree ("period_start","outcome");--> statement-breakpoint
CREATE INDEX "compliance_assessments_in_grace_idx" ON "compliance_assessments" USING btree ("grace_ends_on") WHERE outcome = 'in_grace';--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_one_success_per_date" ON "job_runs" USING btree ("as_of") WHERE error IS NULL;--> statement-breakpoint
CREATE INDEX "job_runs_started_idx" ON "job_runs" USING btree ("started_at");