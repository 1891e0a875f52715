import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * The distinct words of the names and organisations of entries ever on the register (their
 * `search_words`), each with about how many entries hold it: a few thousand words however many
 * entries. The public search compares a mistyped word with these, then finds the entries holding the
 * close ones. Writers add new words by statement triggers on mediators (migration 0020) without
 * waiting for each other, so a word may briefly be listed twice or outlive its last holder;
 * register_recount_words (the daily job, erasure) makes the table exact again.
 */
export const registerNameWords = pgTable('register_name_words', { word: text('word').notNull(), entries: integer('entries').notNull() }, (t) => [index('register_name_words_word_idx').on(t.word)]);
