-- UNLOGGED by hand (drizzle-kit cannot declare it): the counters are rewritten on every limited
-- request and worthless after a crash; without WAL a hit does not wait for the commit's fsync
-- (about ten times the throughput of a logged table on the same server).
CREATE UNLOGGED TABLE "limit_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
