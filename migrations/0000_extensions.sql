-- Extensions the register needs on both PGlite and PostgreSQL: case-insensitive emails, and
-- accent-insensitive, typo-tolerant search.
CREATE EXTENSION IF NOT EXISTS citext;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
