-- Search at scale (issue 20). Near misses compare a mistyped word with the register's distinct words
-- (register_name_words, kept by the triggers below) instead of every entry's text, then find the
-- entries holding the close ones through search_words. Filters and name-order walks read indexes.
--
-- Every prefix of each language tag, lower case (en-GB gives en and en-gb): ?language=en finds en
-- and en-GB through a GIN index instead of reading every entry's languages.
CREATE OR REPLACE FUNCTION register_language_tags(languages text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT array_to_string(p.parts[1:i], '-')), '{}')
    FROM unnest(languages) l, LATERAL (SELECT string_to_array(lower(l), '-') AS parts) p, generate_series(1, cardinality(p.parts)) i
$$;
--> statement-breakpoint
CREATE TABLE "register_name_words" (
	"word" text PRIMARY KEY NOT NULL,
	"entries" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mediators" ADD COLUMN "search_words" text[] GENERATED ALWAYS AS (string_to_array(register_search_text(full_name, organisation), ' ')) STORED;--> statement-breakpoint
ALTER TABLE "mediators" ADD COLUMN "language_tags" text[] GENERATED ALWAYS AS (register_language_tags(languages)) STORED;--> statement-breakpoint
CREATE INDEX "mediators_register_name_idx" ON "mediators" USING btree ("sort_name","id") WHERE status IS NOT NULL;--> statement-breakpoint
CREATE INDEX "mediators_register_search_idx" ON "mediators" USING gin ("search_text" gin_trgm_ops) WHERE status IS NOT NULL;--> statement-breakpoint
CREATE INDEX "mediators_search_words_idx" ON "mediators" USING gin ("search_words") WHERE status IS NOT NULL;--> statement-breakpoint
CREATE INDEX "mediators_language_tags_idx" ON "mediators" USING gin ("language_tags") WHERE status IS NOT NULL;--> statement-breakpoint
-- The name index, covering what the public search filters and matches on: a walk in name order
-- (the browse list, a common word) reads the index alone, not a table page per entry it passes.
DROP INDEX "mediators_public_name_idx";--> statement-breakpoint
CREATE INDEX "mediators_public_name_idx" ON "mediators" USING btree ("sort_name","id") INCLUDE ("body", "regions", "language_tags", "search_text") WHERE status = 'accredited';--> statement-breakpoint
-- register_name_words: the words of the entries ever on the register (status not null), each with
-- how many entries hold it, changed by `deltas`. Words are changed in word order, so two writers
-- queue for the same words rather than deadlock; a word no entry holds any more goes.
CREATE OR REPLACE FUNCTION register_count_words(words text[], deltas int[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF words IS NULL THEN RETURN; END IF;
  INSERT INTO register_name_words AS w (word, entries)
    SELECT d.word, d.n FROM unnest(words, deltas) d(word, n) ORDER BY d.word
    ON CONFLICT (word) DO UPDATE SET entries = w.entries + excluded.entries;
  DELETE FROM register_name_words w WHERE w.word = ANY (words) AND w.entries <= 0;
END;
$$;
--> statement-breakpoint
-- Statement triggers (one run per statement, however many rows): an entry's word counts once,
-- even when it is in both the name and the organisation.
CREATE OR REPLACE FUNCTION register_words_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE words text[]; deltas int[];
BEGIN
  SELECT array_agg(x.word ORDER BY x.word), array_agg(x.n ORDER BY x.word) INTO words, deltas
    FROM (SELECT u.word, count(DISTINCT r.id)::int AS n FROM new_rows r, unnest(r.search_words) u(word) WHERE r.status IS NOT NULL GROUP BY u.word) x;
  PERFORM register_count_words(words, deltas);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION register_words_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE words text[]; deltas int[];
BEGIN
  SELECT array_agg(x.word ORDER BY x.word), array_agg(-x.n ORDER BY x.word) INTO words, deltas
    FROM (SELECT u.word, count(DISTINCT r.id)::int AS n FROM old_rows r, unnest(r.search_words) u(word) WHERE r.status IS NOT NULL GROUP BY u.word) x;
  PERFORM register_count_words(words, deltas);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Only the rows whose words changed, or that came onto the register (status from null) or off it.
CREATE OR REPLACE FUNCTION register_words_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE words text[]; deltas int[];
BEGIN
  WITH changed AS (
    SELECT n.id, CASE WHEN n.status IS NOT NULL THEN n.search_words END AS now, CASE WHEN o.status IS NOT NULL THEN o.search_words END AS was
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.search_words IS DISTINCT FROM o.search_words OR (n.status IS NULL) <> (o.status IS NULL)),
  delta AS (
    SELECT x.word, sum(x.n)::int AS n FROM (
      SELECT DISTINCT c.id, u.word, 1 AS n FROM changed c, unnest(c.now) u(word)
      UNION ALL
      SELECT DISTINCT c.id, u.word, -1 AS n FROM changed c, unnest(c.was) u(word)) x
    GROUP BY x.word HAVING sum(x.n) <> 0)
  SELECT array_agg(d.word ORDER BY d.word), array_agg(d.n ORDER BY d.word) INTO words, deltas FROM delta d;
  PERFORM register_count_words(words, deltas);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER register_words_inserted AFTER INSERT ON mediators
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION register_words_inserted();
--> statement-breakpoint
CREATE TRIGGER register_words_updated AFTER UPDATE ON mediators
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION register_words_updated();
--> statement-breakpoint
CREATE TRIGGER register_words_deleted AFTER DELETE ON mediators
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION register_words_deleted();
--> statement-breakpoint
-- The words of the entries on the register already.
INSERT INTO register_name_words (word, entries)
  SELECT u.word, count(DISTINCT m.id) FROM mediators m, unnest(m.search_words) u(word) WHERE m.status IS NOT NULL GROUP BY u.word;
