/* test_plural.c: plural forms (plural_form(), i18n_plural(), {{@key|n}})
 * in English and Russian, and the project's plural messages in both
 * catalogs. */
#include <stdio.h>
#include <string.h>

#include "template.h"
#include "unit.h"

static const long long nums[] = {0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111};

TEST(russian_rule)
{
	static const int want[] = {PLURAL_MANY, PLURAL_ONE, PLURAL_FEW, PLURAL_FEW, PLURAL_MANY,
				   PLURAL_MANY, PLURAL_MANY, PLURAL_MANY, PLURAL_ONE, PLURAL_FEW,
				   PLURAL_MANY, PLURAL_ONE, PLURAL_MANY};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (plural_form("ru", nums[i]) != want[i])
			printf("  ru %lld: got %d, want %d\n", nums[i], plural_form("ru", nums[i]), want[i]);
		CHECK(plural_form("ru", nums[i]) == want[i]);
	}
	CHECK(plural_form("ru", 1000000) == PLURAL_MANY);
	CHECK(plural_form("ru", 1000001) == PLURAL_ONE);
	CHECK(plural_form("ru", 112) == PLURAL_MANY);
	CHECK(plural_form("ru", 122) == PLURAL_FEW);
	CHECK(plural_form("ru", -2) == PLURAL_FEW);
}

TEST(english_rule)
{
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		CHECK(plural_form("en", nums[i]) == (nums[i] == 1 ? PLURAL_ONE : PLURAL_MANY));
	CHECK(plural_form(NULL, 1) == PLURAL_ONE);
	CHECK(plural_form("xx", 2) == PLURAL_MANY);
}

/* The project's catalogs through i18n_plural(). */
TEST(project_catalogs)
{
	char err[512] = "";
	struct templates *t = templates_load("templates", err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL) {
		printf("  %s\n", err);
		return;
	}
	static const char *const ru[] = {"0 сообщений", "1 сообщение", "2 сообщения", "4 сообщения",
					 "5 сообщений", "11 сообщений", "12 сообщений", "14 сообщений",
					 "21 сообщение", "22 сообщения", "25 сообщений",
					 "101 сообщение", "111 сообщений"};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		struct buf b = BUF_INIT, e = BUF_INIT;
		const char *got = i18n_plural(t, "ru", "chatux.messages", nums[i], &b);
		if (strcmp(got, ru[i]) != 0)
			printf("  ru %lld: '%s', want '%s'\n", nums[i], got, ru[i]);
		CHECK(strcmp(got, ru[i]) == 0);
		char want[64];
		snprintf(want, sizeof(want), "%lld %s", nums[i], nums[i] == 1 ? "message" : "messages");
		CHECK(strcmp(i18n_plural(t, "en", "chatux.messages", nums[i], &e), want) == 0);
		buf_free(&b);
		buf_free(&e);
	}
	struct buf b = BUF_INIT;
	CHECK(strcmp(i18n_plural(t, "ru", "chatux.members", 3, &b), "3 участника") == 0);
	buf_reset(&b);
	CHECK(strcmp(i18n_plural(t, "ru", "chatux.new_count", 21, &b), "21 новое сообщение") == 0);
	buf_reset(&b);
	CHECK(strcmp(i18n_plural(t, "en", "chatux.unread", 1, &b), "1 unread message") == 0);
	buf_free(&b);
	templates_free(t);
}

static char *render(struct templates *t, const char *lang, const char *json)
{
	static char out[256];
	struct json_object *m = json_tokener_parse(json);
	struct buf b = BUF_INIT;
	out[0] = '\0';
	if (template_render(t, "p", m, lang, &b) == 0 && b.data)
		snprintf(out, sizeof(out), "%s", b.data);
	buf_free(&b);
	json_object_put(m);
	return out;
}

/* {{@key|path}} in a template: the form by the number, {n} replaced; a
 * number given as a string works too; a missing number counts as 0. */
TEST(template_tag)
{
	char err[256] = "";
	struct templates *t = templates_load("templates", err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL)
		return;
	templates_free(t);
	/* a set made from a string has no catalogs: the key.form itself */
	t = templates_parse_string("p", "[{{@x.n|a.b}}]", NULL, err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK(strcmp(render(t, "ru", "{\"a\":{\"b\":3}}"), "[x.n.few]") == 0);
	CHECK(strcmp(render(t, "ru", "{\"a\":{\"b\":5}}"), "[x.n.many]") == 0);
	CHECK(strcmp(render(t, "en", "{\"a\":{\"b\":\"1\"}}"), "[x.n.one]") == 0);
	CHECK(strcmp(render(t, "en", "{}"), "[x.n.many]") == 0);
	templates_free(t);
	/* bad tags are parse errors */
	CHECK(templates_parse_string("p", "{{@x.n|}}", NULL, err, sizeof(err)) == NULL);
	CHECK(templates_parse_string("p", "{{@|n}}", NULL, err, sizeof(err)) == NULL);
	CHECK(templates_parse_string("p", "{{@x|a|b}}", NULL, err, sizeof(err)) == NULL);
}

/* The project's templates render plural counts in both languages. */
TEST(project_template_counts)
{
	char err[512] = "";
	struct templates *t = templates_load("templates", err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL)
		return;
	struct json_object *m = json_tokener_parse("{\"invite\":{\"valid\":true,\"chat\":"
						   "{\"title\":\"G\",\"member_count\":22}}}");
	struct buf b = BUF_INIT;
	CHECK(template_render(t, "invite", m, "ru", &b) == 0);
	CHECK(b.data && strstr(b.data, "22 участника") != NULL);
	buf_reset(&b);
	CHECK(template_render(t, "invite", m, "en", &b) == 0);
	CHECK(b.data && strstr(b.data, "22 members") != NULL);
	buf_free(&b);
	json_object_put(m);
	templates_free(t);
}

int main(void)
{
	RUN(russian_rule);
	RUN(english_rule);
	RUN(project_catalogs);
	RUN(template_tag);
	RUN(project_template_counts);
	return unit_summary();
}
