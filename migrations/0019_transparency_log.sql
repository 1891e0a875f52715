-- The audit trail becomes a Merkle tree log: events lose their chain hash (writers no longer queue on
-- one lock); a sealer numbers them as leaves in transaction order (xid) and stores the tree and signed
-- checkpoints. Events already written become the first leaves, in seq order (they share this xid).
CREATE TABLE "audit_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"note" text NOT NULL,
	"signed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_leaves" (
	"leaf_index" bigint PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "audit_leaves_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "audit_personal_values" (
	"seq" bigint NOT NULL,
	"commitment" text NOT NULL,
	"salt" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "audit_personal_values_seq_commitment_pk" PRIMARY KEY("seq","commitment")
);
--> statement-breakpoint
CREATE TABLE "audit_tree_nodes" (
	"level" smallint NOT NULL,
	"index" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_tree_nodes_level_index_pk" PRIMARY KEY("level","index")
);
--> statement-breakpoint
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_hash_unique";--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "xid" bigint DEFAULT (pg_current_xact_id()::text)::bigint NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_leaves" ADD CONSTRAINT "audit_leaves_seq_audit_events_seq_fk" FOREIGN KEY ("seq") REFERENCES "public"."audit_events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_personal_values" ADD CONSTRAINT "audit_personal_values_seq_audit_events_seq_fk" FOREIGN KEY ("seq") REFERENCES "public"."audit_events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_xid_seq_idx" ON "audit_events" USING btree ("xid","seq");--> statement-breakpoint
ALTER TABLE "audit_events" DROP COLUMN "prev_hash";--> statement-breakpoint
ALTER TABLE "audit_events" DROP COLUMN "hash";--> statement-breakpoint
CREATE OR REPLACE FUNCTION transparency_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER audit_leaves_append_only BEFORE UPDATE OR DELETE ON audit_leaves FOR EACH ROW EXECUTE FUNCTION transparency_log_refuse_change();--> statement-breakpoint
CREATE TRIGGER audit_leaves_no_truncate BEFORE TRUNCATE ON audit_leaves FOR EACH STATEMENT EXECUTE FUNCTION transparency_log_refuse_change();--> statement-breakpoint
CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE ON audit_tree_nodes FOR EACH ROW EXECUTE FUNCTION transparency_log_refuse_change();--> statement-breakpoint
CREATE TRIGGER audit_tree_nodes_no_truncate BEFORE TRUNCATE ON audit_tree_nodes FOR EACH STATEMENT EXECUTE FUNCTION transparency_log_refuse_change();--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION transparency_log_refuse_change();--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION transparency_log_refuse_change();--> statement-breakpoint
-- Erasure deletes personal values; nothing rewrites one.
CREATE TRIGGER audit_personal_values_no_update BEFORE UPDATE ON audit_personal_values FOR EACH ROW EXECUTE FUNCTION transparency_log_refuse_change();
