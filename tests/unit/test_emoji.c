/* test_emoji.c: one emoji grapheme accepted, anything else refused. */
#include "emoji.h"
#include "unit.h"

#include <string.h>

#define OK(s) emoji_valid((s), strlen(s))

TEST(single)
{
	CHECK(OK("\xF0\x9F\x91\x8D"));         /* 👍 */
	CHECK(OK("\xE2\x9D\xA4\xEF\xB8\x8F")); /* ❤️ */
	CHECK(OK("\xE2\x9D\xA4"));             /* ❤ without VS16 */
	CHECK(OK("\xF0\x9F\x98\x82"));         /* 😂 */
	CHECK(OK("\xF0\x9F\xA5\xB9"));         /* 🥹 */
}

TEST(sequences)
{
	CHECK(OK("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD")); /* 👍🏽 skin tone */
	/* 👨‍👩‍👧‍👦 family: four people joined by ZWJ */
	CHECK(OK("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
		 "\xF0\x9F\x91\xA7\xE2\x80\x8D\xF0\x9F\x91\xA6"));
	/* 🏳️‍🌈 rainbow flag: VS16 then ZWJ */
	CHECK(OK("\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88"));
	/* 👩🏽‍💻 woman technologist with a skin tone */
	CHECK(OK("\xF0\x9F\x91\xA9\xF0\x9F\x8F\xBD\xE2\x80\x8D\xF0\x9F\x92\xBB"));
	CHECK(OK("\xF0\x9F\x87\xB7\xF0\x9F\x87\xBA")); /* 🇷🇺 */
	CHECK(OK("1\xEF\xB8\x8F\xE2\x83\xA3"));        /* 1️⃣ */
	CHECK(OK("#\xE2\x83\xA3"));                    /* #⃣ */
	/* 🏴 England: black flag, tags g b e n g, cancel tag */
	CHECK(OK("\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5"
		 "\xF3\xA0\x81\xAE\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF"));
}

TEST(refused)
{
	CHECK(!emoji_valid("", 0));
	CHECK(!emoji_valid(NULL, 0));
	CHECK(!OK("a"));
	CHECK(!OK("1"));
	CHECK(!OK("ok"));
	CHECK(!OK("<b>"));
	CHECK(!OK("\xD0\xB4"));                                 /* д */
	CHECK(!OK("\xF0\x9F\x91\x8D\xF0\x9F\x91\x8D"));         /* two 👍 */
	CHECK(!OK("\xF0\x9F\x91\x8D "));                        /* trailing space */
	CHECK(!OK("\xF0\x9F\x91\x8D\xE2\x80\x8D"));             /* dangling ZWJ */
	CHECK(!OK("\xF0\x9F\x87\xB7"));                         /* half a flag */
	CHECK(!OK("\xF0\x9F\x87\xB7\xF0\x9F\x87\xBA\xF0\x9F\x87\xBA")); /* 1.5 flags */
	CHECK(!OK("\xF0\x9F\x91"));                             /* truncated */
	CHECK(!OK("\xF0\x8F\x91\x8D"));                         /* overlong */
	CHECK(!OK("\xED\xA0\x80"));                             /* surrogate */
	CHECK(!OK("\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7"));         /* tags not closed */
	CHECK(!OK("\xF0\x9F\x8F\xBD"));                         /* a lone skin tone */
}

int main(void)
{
	RUN(single);
	RUN(sequences);
	RUN(refused);
	return unit_summary();
}
