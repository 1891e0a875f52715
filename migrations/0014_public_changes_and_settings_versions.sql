-- Settings become versions: version 1 holds the values in force until now.
INSERT INTO register_settings_versions (version, settings, reason)
SELECT 1, jsonb_build_object('applicationThresholds', (SELECT value FROM register_settings WHERE key = 'application_thresholds'),
                             'grandfatheringComplianceStart', (SELECT value FROM register_settings WHERE key = 'grandfathering_compliance_start')),
       'Product defaults';
--> statement-breakpoint
-- Grandfathered members answer for CPD and practice from the later of the grandfathering start and
-- the day they were imported (the day their entry was created). Entries not yet assessed are moved.
UPDATE mediators m SET imported_on = h.created_on
  FROM (SELECT mediator_id, (min(changed_at) AT TIME ZONE 'Europe/London')::date AS created_on
          FROM status_history WHERE from_status IS NULL GROUP BY mediator_id) h
 WHERE h.mediator_id = m.id AND m.route = 'grandfathered_2018';
--> statement-breakpoint
UPDATE mediators m
   SET compliance_start_on = greatest((SELECT (value #>> '{}')::date FROM register_settings WHERE key = 'grandfathering_compliance_start'), m.imported_on)
 WHERE m.route = 'grandfathered_2018' AND m.imported_on IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM compliance_assessments a WHERE a.mediator_id = m.id);
--> statement-breakpoint
-- What the public can see of an entry: its status and identity once it has been on the register;
-- where and how to reach the mediator only while accredited. Null for someone never on it.
CREATE OR REPLACE FUNCTION register_public_fields(m mediators) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN m.status IS NOT NULL THEN
    jsonb_build_object('status', m.status, 'fullName', m.full_name, 'body', m.body, 'membershipNumber', m.membership_number,
                       'route', m.route, 'firstAccreditedOn', m.first_accredited_on)
    || CASE WHEN m.status = 'accredited' THEN
         jsonb_build_object('regions', m.regions, 'languages', m.languages, 'organisation', m.organisation,
                            'contactEmail', CASE WHEN m.show_email THEN m.contact_email END,
                            'contactPhone', CASE WHEN m.show_phone THEN m.contact_phone END,
                            'website', CASE WHEN m.show_website THEN m.website END)
       ELSE '{}'::jsonb END
  END
$$;
--> statement-breakpoint
-- The transaction's changes get their positions when it commits (register_seal_changes).
CREATE OR REPLACE FUNCTION register_mark_pending() RETURNS void
LANGUAGE sql AS $$
  INSERT INTO register_pending (txid) VALUES (pg_current_xact_id()::text) ON CONFLICT DO NOTHING
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION register_mediators_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO register_changes (mediator_id, kind)
    SELECT n.id, 'added' FROM new_rows n WHERE n.status IS NOT NULL ORDER BY n.id;
  IF FOUND THEN PERFORM register_mark_pending(); END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION register_mediators_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO register_changes (mediator_id, kind)
    SELECT n.id, CASE WHEN o.status IS NULL THEN 'added' WHEN n.status IS DISTINCT FROM o.status THEN 'status_changed' ELSE 'updated' END
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE register_public_fields(n.*) IS DISTINCT FROM register_public_fields(o.*)
     ORDER BY n.id;
  IF FOUND THEN PERFORM register_mark_pending(); END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A period assessed compliant changes the entry's "CPD up to date for" year.
CREATE OR REPLACE FUNCTION register_assessments_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO register_changes (mediator_id, kind)
    SELECT DISTINCT n.mediator_id, 'updated' FROM new_rows n JOIN mediators m ON m.id = n.mediator_id
     WHERE n.outcome = 'compliant' AND m.status IS NOT NULL ORDER BY n.mediator_id;
  IF FOUND THEN PERFORM register_mark_pending(); END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION register_assessments_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO register_changes (mediator_id, kind)
    SELECT DISTINCT n.mediator_id, 'updated' FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN mediators m ON m.id = n.mediator_id
     WHERE (n.outcome = 'compliant') IS DISTINCT FROM (o.outcome = 'compliant') AND m.status IS NOT NULL ORDER BY n.mediator_id;
  IF FOUND THEN PERFORM register_mark_pending(); END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- At commit: number this transaction's changes after every committed one. The head's row lock is
-- taken last and held only while committing, so writers never wait on it mid-transaction.
CREATE OR REPLACE FUNCTION register_seal_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  base bigint;
BEGIN
  DELETE FROM register_pending WHERE txid = NEW.txid;
  SELECT count(*) INTO n FROM register_changes WHERE position IS NULL;
  IF n = 0 THEN RETURN NULL; END IF;
  UPDATE register_head SET position = position + n, changed_at = clock_timestamp() RETURNING position - n INTO base;
  UPDATE register_changes c SET position = base + r.rn, changed_at = clock_timestamp()
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM register_changes WHERE position IS NULL) r
   WHERE c.id = r.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER register_mediators_inserted AFTER INSERT ON mediators
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION register_mediators_inserted();
--> statement-breakpoint
CREATE TRIGGER register_mediators_updated AFTER UPDATE ON mediators
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION register_mediators_updated();
--> statement-breakpoint
CREATE TRIGGER register_assessments_inserted AFTER INSERT ON compliance_assessments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION register_assessments_inserted();
--> statement-breakpoint
CREATE TRIGGER register_assessments_updated AFTER UPDATE ON compliance_assessments
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION register_assessments_updated();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER register_pending_seal AFTER INSERT ON register_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION register_seal_changes();
--> statement-breakpoint
-- The feed starts with every entry already on the register, oldest first.
INSERT INTO register_changes (position, mediator_id, kind, changed_at)
SELECT row_number() OVER (ORDER BY coalesce(status_changed_at, created_at), id), id, 'added', coalesce(status_changed_at, created_at)
  FROM mediators WHERE status IS NOT NULL;
--> statement-breakpoint
INSERT INTO register_head (singleton, position, changed_at)
SELECT true, count(*), coalesce(max(changed_at), now()) FROM register_changes;
