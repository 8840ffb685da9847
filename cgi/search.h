/* search.h: the pure parts of full-text search, unit-tested: turning what
 * the user typed into words for messly_search_query() (schema/005), making
 * ts_headline's snippet safe HTML, and checking filter dates. */
#ifndef MESSLY_SEARCH_H
#define MESSLY_SEARCH_H

#include <stdbool.h>

#include "arena.h"

#define SEARCH_QUERY_MAX 256 /* bytes of q accepted */
#define SEARCH_WORDS_MAX 12
#define SEARCH_WORD_MAX 64   /* bytes; longer words are cut at a character boundary */

/* The snippet markers given to ts_headline as StartSel/StopSel: control
 * characters, which message text cannot contain (valid_message_text). */
#define SNIPPET_START '\x01'
#define SNIPPET_STOP '\x02'

/* Split q into words of letters and digits (ASCII alphanumerics and every
 * non-ASCII character; everything else separates words) and return them as
 * a PostgreSQL text[] literal, e.g. {"сообщение","abc"}; *n gets the number
 * of words (0: nothing to search, the literal is "{}"). *last_prefix is
 * true when the last word is long enough (3+ characters) to be searched as
 * a prefix. q must be valid UTF-8. */
const char *search_words(struct arena *a, const char *q, int *n, bool *last_prefix);

/* ts_headline output -> HTML: everything escaped, then the markers turned
 * into <mark> and </mark> (an unmatched or nested marker is dropped). */
char *search_snippet_html(struct arena *a, const char *raw);

/* A calendar date YYYY-MM-DD (years 1900..9999, real days only). */
bool search_date_ok(const char *s);

#endif
