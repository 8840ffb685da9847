/* shortcodes.c: emoji shortcodes (":smile:") in message text, a compiled
 * table sorted by name (bytewise) for bsearch. */
#include "shortcodes.h"

#include <stdlib.h>
#include <string.h>

struct shortcode {
	const char *name, *emoji;
};

static const struct shortcode CODES[] = {
	{"+1", "\xF0\x9F\x91\x8D"}, /* 👍 */
	{"-1", "\xF0\x9F\x91\x8E"}, /* 👎 */
	{"100", "\xF0\x9F\x92\xAF"}, /* 💯 */
	{"angry", "\xF0\x9F\x98\xA0"}, /* 😠 */
	{"astonished", "\xF0\x9F\x98\xB2"}, /* 😲 */
	{"bangbang", "\xE2\x80\xBC\xEF\xB8\x8F"}, /* ‼️ */
	{"beer", "\xF0\x9F\x8D\xBA"}, /* 🍺 */
	{"blush", "\xF0\x9F\x98\x8A"}, /* 😊 */
	{"broken_heart", "\xF0\x9F\x92\x94"}, /* 💔 */
	{"bulb", "\xF0\x9F\x92\xA1"}, /* 💡 */
	{"cake", "\xF0\x9F\x8D\xB0"}, /* 🍰 */
	{"camera", "\xF0\x9F\x93\xB7"}, /* 📷 */
	{"cat", "\xF0\x9F\x90\xB1"}, /* 🐱 */
	{"check", "\xE2\x9C\x94\xEF\xB8\x8F"}, /* ✔️ */
	{"clap", "\xF0\x9F\x91\x8F"}, /* 👏 */
	{"coffee", "\xE2\x98\x95"}, /* ☕ */
	{"cold_sweat", "\xF0\x9F\x98\xB0"}, /* 😰 */
	{"confused", "\xF0\x9F\x98\x95"}, /* 😕 */
	{"cool", "\xF0\x9F\x86\x92"}, /* 🆒 */
	{"cry", "\xF0\x9F\x98\xA2"}, /* 😢 */
	{"disappointed", "\xF0\x9F\x98\x9E"}, /* 😞 */
	{"dog", "\xF0\x9F\x90\xB6"}, /* 🐶 */
	{"eyes", "\xF0\x9F\x91\x80"}, /* 👀 */
	{"fire", "\xF0\x9F\x94\xA5"}, /* 🔥 */
	{"flushed", "\xF0\x9F\x98\xB3"}, /* 😳 */
	{"gift", "\xF0\x9F\x8E\x81"}, /* 🎁 */
	{"grin", "\xF0\x9F\x98\x81"}, /* 😁 */
	{"grinning", "\xF0\x9F\x98\x80"}, /* 😀 */
	{"heart", "\xE2\x9D\xA4\xEF\xB8\x8F"}, /* ❤️ */
	{"heart_eyes", "\xF0\x9F\x98\x8D"}, /* 😍 */
	{"hugs", "\xF0\x9F\xA4\x97"}, /* 🤗 */
	{"innocent", "\xF0\x9F\x98\x87"}, /* 😇 */
	{"joy", "\xF0\x9F\x98\x82"}, /* 😂 */
	{"kiss", "\xF0\x9F\x92\x8B"}, /* 💋 */
	{"kissing_heart", "\xF0\x9F\x98\x98"}, /* 😘 */
	{"laughing", "\xF0\x9F\x98\x86"}, /* 😆 */
	{"metal", "\xF0\x9F\xA4\x98"}, /* 🤘 */
	{"muscle", "\xF0\x9F\x92\xAA"}, /* 💪 */
	{"neutral_face", "\xF0\x9F\x98\x90"}, /* 😐 */
	{"ok", "\xF0\x9F\x86\x97"}, /* 🆗 */
	{"ok_hand", "\xF0\x9F\x91\x8C"}, /* 👌 */
	{"open_mouth", "\xF0\x9F\x98\xAE"}, /* 😮 */
	{"party", "\xF0\x9F\xA5\xB3"}, /* 🥳 */
	{"pensive", "\xF0\x9F\x98\x94"}, /* 😔 */
	{"pizza", "\xF0\x9F\x8D\x95"}, /* 🍕 */
	{"point_up", "\xE2\x98\x9D\xEF\xB8\x8F"}, /* ☝️ */
	{"poop", "\xF0\x9F\x92\xA9"}, /* 💩 */
	{"pray", "\xF0\x9F\x99\x8F"}, /* 🙏 */
	{"question", "\xE2\x9D\x93"}, /* ❓ */
	{"rage", "\xF0\x9F\x98\xA1"}, /* 😡 */
	{"raised_hands", "\xF0\x9F\x99\x8C"}, /* 🙌 */
	{"relieved", "\xF0\x9F\x98\x8C"}, /* 😌 */
	{"rocket", "\xF0\x9F\x9A\x80"}, /* 🚀 */
	{"rofl", "\xF0\x9F\xA4\xA3"}, /* 🤣 */
	{"scream", "\xF0\x9F\x98\xB1"}, /* 😱 */
	{"see_no_evil", "\xF0\x9F\x99\x88"}, /* 🙈 */
	{"shrug", "\xF0\x9F\xA4\xB7"}, /* 🤷 */
	{"sleeping", "\xF0\x9F\x98\xB4"}, /* 😴 */
	{"slightly_smiling_face", "\xF0\x9F\x99\x82"}, /* 🙂 */
	{"smile", "\xF0\x9F\x98\x84"}, /* 😄 */
	{"smiley", "\xF0\x9F\x98\x83"}, /* 😃 */
	{"smirk", "\xF0\x9F\x98\x8F"}, /* 😏 */
	{"sob", "\xF0\x9F\x98\xAD"}, /* 😭 */
	{"sparkles", "\xE2\x9C\xA8"}, /* ✨ */
	{"star", "\xE2\xAD\x90"}, /* ⭐ */
	{"star_struck", "\xF0\x9F\xA4\xA9"}, /* 🤩 */
	{"sunglasses", "\xF0\x9F\x98\x8E"}, /* 😎 */
	{"sweat_smile", "\xF0\x9F\x98\x85"}, /* 😅 */
	{"tada", "\xF0\x9F\x8E\x89"}, /* 🎉 */
	{"thinking", "\xF0\x9F\xA4\x94"}, /* 🤔 */
	{"thumbsdown", "\xF0\x9F\x91\x8E"}, /* 👎 */
	{"thumbsup", "\xF0\x9F\x91\x8D"}, /* 👍 */
	{"tired_face", "\xF0\x9F\x98\xAB"}, /* 😫 */
	{"trophy", "\xF0\x9F\x8F\x86"}, /* 🏆 */
	{"unamused", "\xF0\x9F\x98\x92"}, /* 😒 */
	{"upside_down_face", "\xF0\x9F\x99\x83"}, /* 🙃 */
	{"v", "\xE2\x9C\x8C\xEF\xB8\x8F"}, /* ✌️ */
	{"warning", "\xE2\x9A\xA0\xEF\xB8\x8F"}, /* ⚠️ */
	{"wave", "\xF0\x9F\x91\x8B"}, /* 👋 */
	{"white_check_mark", "\xE2\x9C\x85"}, /* ✅ */
	{"wink", "\xF0\x9F\x98\x89"}, /* 😉 */
	{"worried", "\xF0\x9F\x98\x9F"}, /* 😟 */
	{"x", "\xE2\x9D\x8C"}, /* ❌ */
	{"yum", "\xF0\x9F\x98\x8B"}, /* 😋 */
	{"zany_face", "\xF0\x9F\xA4\xAA"}, /* 🤪 */
	{"zap", "\xE2\x9A\xA1"}, /* ⚡ */
	{"zzz", "\xF0\x9F\x92\xA4"}, /* 💤 */
};

#define NCODES (sizeof(CODES) / sizeof(CODES[0]))

static int cmp(const void *key, const void *elem)
{
	const struct shortcode *k = key, *e = elem;
	return strcmp(k->name, e->name);
}

const char *shortcode_emoji(const char *name, size_t len)
{
	char buf[SHORTCODE_NAME_MAX + 1];
	if (len == 0 || len > SHORTCODE_NAME_MAX)
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	struct shortcode key = {buf, NULL};
	const struct shortcode *hit = bsearch(&key, CODES, NCODES, sizeof(CODES[0]), cmp);
	return hit ? hit->emoji : NULL;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
}

void shortcodes_replace(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] == ':') {
			size_t j = i + 1;
			while (j < n && j - i - 1 <= SHORTCODE_NAME_MAX && name_char(s[j]))
				j++;
			const char *emoji = j < n && s[j] == ':' ? shortcode_emoji(s + i + 1, j - i - 1) : NULL;
			if (emoji) {
				buf_puts(out, emoji);
				i = j + 1;
				continue;
			}
		}
		buf_putc(out, s[i]);
		i++;
	}
}
