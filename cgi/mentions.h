/* mentions.h: @nickname mentions. At send (and edit) markdown.c finds the
 * tokens in text (not in code or links) and marks each in the stored HTML
 * with the nickname as written; the send statement resolves the written
 * nicknames against the chat's members into message_mentions (by user id).
 * At read time mentions_rewrite() turns each marked token into a link to the
 * resolved user's CURRENT nickname, or back into plain text when the token
 * named no member. Safe mode escapes every "<" of the input, so the marker
 * cannot be forged by a message's text. */
#ifndef MESSLY_MENTIONS_H
#define MESSLY_MENTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"

/* Distinct nicknames one message may mention (more stay plain text). */
#define MENTIONS_MAX 20

/* The marker around a token in stored HTML: OPEN nick "\">" @Written CLOSE */
#define MENTION_OPEN "<span class=\"mention\" data-nick=\""
#define MENTION_CLOSE "</span>"

struct mentions {
	const char *nick[MENTIONS_MAX]; /* lower case, distinct, arena strings */
	size_t n;
};

/* s[i] is '@': the length of the token ("@" + 3..32 of [A-Za-z0-9_]) that
 * starts there, or 0. A token needs no word character just before it (so
 * "a@b.c" is none) and ends at a non-word character. */
size_t mention_token(const char *s, size_t len, size_t i);

/* Adds the lower-cased nickname of token tok (with its "@") and returns it;
 * NULL when MENTIONS_MAX distinct ones are already there (it stays plain). */
const char *mentions_add(struct mentions *m, struct arena *a, const char *tok, size_t len);

/* The statement parameter: a text[] literal "{a,b}", or NULL for none. */
const char *mentions_param(struct arena *a, const struct mentions *m);

/* Who a token resolved to: written (lower case) -> the current nickname. */
struct mention_user {
	const char *written, *nickname;
};

/* html with each marker replaced: a link to the user's current nickname
 * when users[] holds its written nickname, else the token as typed. */
void mentions_rewrite(struct buf *out, const char *html, const struct mention_user *users,
		      size_t n);

#endif
