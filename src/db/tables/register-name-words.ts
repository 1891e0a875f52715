import { integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * The distinct words of the names and organisations of entries ever on the register (their
 * `search_words`), each with how many entries hold it: a few thousand words however many entries.
 * The public search compares a mistyped word with these, then finds the entries holding the close
 * ones. Kept by statement triggers on mediators (migration 0020), whoever writes; a word no entry
 * holds any more is deleted.
 */
export const registerNameWords = pgTable('register_name_words', {
  word: text('word').primaryKey(),
  entries: integer('entries').notNull(),
});
