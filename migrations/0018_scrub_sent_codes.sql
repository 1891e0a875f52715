-- Messages already sent or given up keep no codes: the sender now drops them on sending, and rows
-- written before it did still held every claim code in the clear.
UPDATE "notifications" SET "data" = "data" - 'link' - 'token'
 WHERE ("sent_at" IS NOT NULL OR "attempts" >= 10) AND ("data" ? 'link' OR "data" ? 'token');
