/* input.h: parsing of untrusted request bytes into validated values, and the
 * field validators. Pure functions over an arena: no FastCGI, no database, so
 * they are unit-tested and fuzzed directly.
 *
 * All decoded text is checked to be valid UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and to contain no NUL; a pair that fails decoding
 * makes the whole parse fail (INPUT_EBADENC), so handlers never see half-valid
 * data. */
#ifndef MESSLY_INPUT_H
#define MESSLY_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum input_err {
	INPUT_OK = 0,
	INPUT_ETOOBIG,   /* more bytes / pairs / depth than allowed */
	INPUT_EBADENC,   /* bad percent-escape, invalid UTF-8, NUL byte */
	INPUT_EBADJSON,  /* malformed JSON, trailing bytes, not an object */
};

/* One name/value pair. Values are NUL-terminated copies in the arena;
 * len excludes the NUL. For JSON, kind tells the original type. */
enum input_kind { IK_STRING, IK_NUMBER, IK_BOOL, IK_NULL, IK_OTHER /* array/object */ };
struct input_pair {
	const char *name;
	const char *value; /* NULL for IK_OTHER and IK_NULL */
	size_t len;
	enum input_kind kind;
	const char *raw;   /* IK_OTHER (JSON body): the value's JSON text, already
			      checked by the strict scanner; NULL otherwise */
};
struct input {
	struct input_pair *pairs;
	size_t n;
};

#define INPUT_MAX_PAIRS 256
#define INPUT_MAX_JSON_DEPTH 16

/* application/x-www-form-urlencoded and query strings: '&'-separated,
 * '+' is space, %XX escapes. Empty pieces ("a=1&&b=2") are skipped; a piece
 * without '=' is a name with the empty value. More than INPUT_MAX_PAIRS
 * pairs -> INPUT_ETOOBIG. */
enum input_err input_parse_urlencoded(struct arena *a, const char *s, size_t len,
				      struct input *out);

/* A JSON object body, strictly: json-c strict mode, UTF-8 validated, depth
 * capped at INPUT_MAX_JSON_DEPTH, no trailing bytes (whitespace allowed),
 * strings with NUL ("\u0000") rejected, duplicate keys rejected. The top
 * level must be an object; its members become pairs (numbers keep their
 * JSON text, booleans "true"/"false"). */
enum input_err input_parse_json(struct arena *a, const char *s, size_t len,
				struct input *out);

/* Cookie header: "a=1; b=2". Values are not percent-decoded. Malformed
 * pieces are skipped (cookies are never an error). */
void input_parse_cookies(struct arena *a, const char *header, struct input *out);

/* First pair named name, or NULL. */
const struct input_pair *input_find(const struct input *in, const char *name);
/* Its string value (any kind but IK_OTHER/IK_NULL), or NULL. */
const char *input_get(const struct input *in, const char *name);

/* UTF-8 check: true when s[0..len) is valid UTF-8 with no NUL. */
bool utf8_valid(const char *s, size_t len);
/* Number of code points (s must be valid UTF-8). */
size_t utf8_count(const char *s, size_t len);

/* Field validators. Each returns NULL when valid, or a message catalog key
 * (e.g. "err.nickname.format") naming what is wrong. */
const char *valid_email(const char *s, size_t len);    /* 3..254 bytes, one '@', no spaces/controls */
const char *valid_password(const char *s, size_t len); /* 8..256 code points, no NUL */
const char *valid_nickname(const char *s, size_t len); /* 3..32 of [a-z0-9_] (input lowercased by caller) */
/* A nickname nobody may take (registration and nickname changes): the
 * reserved list, and "deleted_..." (the names of deleted accounts). */
bool nickname_reserved(const char *nickname);
const char *valid_display_name(const char *s, size_t len); /* 1..64 code points, no control chars, not only spaces */
/* Message text: 1..max_chars code points after trimming, no control chars
 * except \n and \t (\r\n is normalised by the caller). */
const char *valid_message_text(const char *s, size_t len, size_t max_chars);

/* Group chats: a name of 1..GROUP_NAME_MAX code points (no control
 * characters, not only spaces; err.group.name_empty, err.group.name_long,
 * err.name.control) and a description of 0..GROUP_DESCRIPTION_MAX code
 * points, line breaks allowed (err.group.description_long,
 * err.group.description_control). The caller trims both. */
#define GROUP_NAME_MAX 128
#define GROUP_DESCRIPTION_MAX 1000
const char *valid_group_name(const char *s, size_t len);
const char *valid_group_description(const char *s, size_t len);
/* Profile "about" text: 0..500 code points, no control characters except
 * \n and \t (\r\n normalised by the caller). err.about.long, err.text.control. */
const char *valid_about(const char *s, size_t len);

/* A send's idempotency key: 1..64 of [A-Za-z0-9_-]. */
bool valid_client_id(const char *s);

/* A decimal id: 1..2^53, digits only, no sign, no leading zero. */
bool parse_id(const char *s, int64_t *out);
/* A decimal integer in [min, max]. */
bool parse_int_range(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
