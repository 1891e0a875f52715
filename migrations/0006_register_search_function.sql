-- The text public search matches against: name and organisation, lower case, without accents,
-- apostrophes removed (O'Neill -> oneill) and other punctuation turned into spaces. IMMUTABLE (with
-- unaccent's dictionary named explicitly) so a generated column and a trigram index can use it.
CREATE OR REPLACE FUNCTION register_search_text(name text, organisation text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(
    translate(public.unaccent('public.unaccent'::regdictionary, lower(coalesce(name, '') || ' ' || coalesce(organisation, ''))), '''’‘`', ''),
    '[[:punct:][:space:]]+', ' ', 'g'))
$$;
