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
	"word" text NOT NULL,
	"entries" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "register_name_words_word_idx" ON "register_name_words" USING btree ("word");
--> statement-breakpoint
-- The organisation is published only while an entry is accredited, so only then may a search match
-- it: otherwise a search for a firm would say which lapsed or removed mediators had worked there.
ALTER TABLE "mediators" DROP COLUMN "search_text";--> statement-breakpoint
ALTER TABLE "mediators" ADD COLUMN "search_text" text GENERATED ALWAYS AS (register_search_text(full_name, CASE WHEN status = 'accredited' THEN organisation END)) STORED;--> statement-breakpoint
CREATE INDEX "mediators_public_search_idx" ON "mediators" USING gin ("search_text" gin_trgm_ops) WHERE status = 'accredited';--> statement-breakpoint
ALTER TABLE "mediators" ADD COLUMN "search_words" text[] GENERATED ALWAYS AS (string_to_array(register_search_text(full_name, CASE WHEN status = 'accredited' THEN organisation END), ' ')) STORED;--> statement-breakpoint
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
-- about how many entries hold it (a hint for the search's plan, never its answer). Writers only add
-- words not there yet, reading without locks, so no writer ever waits for another's words (two
-- concurrent imports of the same new words would otherwise queue on, or deadlock over, shared
-- rows); two adding the same new word at once leave it twice, which readers take as one. Words
-- nobody holds any more, duplicates and counts are put right by register_recount_words.
CREATE OR REPLACE FUNCTION register_add_words(words text[], counts int[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO register_name_words (word, entries)
  SELECT d.word, d.n FROM unnest(words, counts) d(word, n)
   WHERE d.word IS NOT NULL AND NOT EXISTS (SELECT 1 FROM register_name_words w WHERE w.word = d.word)
$$;
--> statement-breakpoint
-- Statement triggers (one run per statement, however many rows): an entry's word counts once,
-- even when it is in both the name and the organisation.
CREATE OR REPLACE FUNCTION register_words_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE words text[]; counts int[];
BEGIN
  SELECT array_agg(x.word), array_agg(x.n) INTO words, counts
    FROM (SELECT u.word, count(DISTINCT r.id)::int AS n FROM new_rows r, unnest(r.search_words) u(word) WHERE r.status IS NOT NULL GROUP BY u.word) x;
  PERFORM register_add_words(words, counts);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Only the rows whose words changed or that came onto the register (status from null).
CREATE OR REPLACE FUNCTION register_words_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE words text[]; counts int[];
BEGIN
  SELECT array_agg(x.word), array_agg(x.n) INTO words, counts
    FROM (SELECT u.word, count(DISTINCT n.id)::int AS n
            FROM new_rows n JOIN old_rows o ON o.id = n.id, unnest(n.search_words) u(word)
           WHERE n.status IS NOT NULL AND (o.status IS NULL OR n.search_words IS DISTINCT FROM o.search_words)
           GROUP BY u.word) x;
  PERFORM register_add_words(words, counts);
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
-- The table rebuilt from the entries: exact words and counts. The lock waits for writers that added
-- words to commit (so their entries are counted) and holds new ones back for the moment it takes.
CREATE OR REPLACE FUNCTION register_recount_words() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE register_name_words IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM register_name_words;
  INSERT INTO register_name_words (word, entries)
    SELECT u.word, count(DISTINCT m.id) FROM mediators m, unnest(m.search_words) u(word) WHERE m.status IS NOT NULL GROUP BY u.word;
END;
$$;
--> statement-breakpoint
-- The words of the entries on the register already.
INSERT INTO register_name_words (word, entries)
  SELECT u.word, count(DISTINCT m.id) FROM mediators m, unnest(m.search_words) u(word) WHERE m.status IS NOT NULL GROUP BY u.word;
