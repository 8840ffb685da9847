/* test_template.c: the template engine and catalogs through template.h,
 * with hostile templates and a real directory under /tmp for templates_load. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "template.h"
#include "unit.h"

static const char *const no_partials[][2] = {{NULL, NULL}};

/* Renders src (with partials) against the JSON model in lang; returns a
 * malloc'd string, "<parse error>" / "<render error>" on failure. */
static char *render_p(const char *src, const char *const (*partials)[2],
		      const char *json, const char *lang)
{
	char err[256];
	struct templates *t = templates_parse_string("t", src, partials, err, sizeof(err));
	if (t == NULL)
		return strdup("<parse error>");
	struct json_object *model = json ? json_tokener_parse(json) : NULL;
	struct buf out = BUF_INIT;
	int rc = template_render(t, "t", model, lang, &out);
	char *s = strdup(rc != 0 ? "<render error>" : out.data ? out.data : "");
	buf_free(&out);
	json_object_put(model);
	templates_free(t);
	return s;
}

static char *render(const char *src, const char *json)
{
	return render_p(src, NULL, json, "en");
}

#define CHECK_RENDER(src, json, want)                                      \
	do {                                                               \
		char *got_ = render((src), (json));                        \
		CHECK_STR(got_, (want));                                   \
		free(got_);                                                \
	} while (0)

/* The parse error message for src, or "" when it parses. */
static void parse_err(const char *src, const char *const (*partials)[2], char *err, size_t n)
{
	struct templates *t = templates_parse_string("t", src, partials, err, n);
	if (t != NULL) {
		templates_free(t);
		err[0] = '\0';
	}
}

static bool parse_fails(const char *src)
{
	char err[256];
	parse_err(src, NULL, err, sizeof(err));
	return err[0] != '\0';
}

TEST(plain_text)
{
	CHECK_RENDER("", NULL, "");
	CHECK_RENDER("hello } { }} world", NULL, "hello } { }} world");
	CHECK_RENDER("<b>raw markup</b>\n", "{}", "<b>raw markup</b>\n");
}

TEST(escape_every_special)
{
	CHECK_RENDER("[{{x}}]", "{\"x\":\"&<>\\\"'`=\"}",
		     "[&amp;&lt;&gt;&quot;&#39;&#96;&#61;]");
	CHECK_RENDER("{{ x }}", "{\"x\":\"<script>alert(1)</script>\"}",
		     "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_RENDER("<a title=\"{{x}}\">", "{\"x\":\"\\\" onclick=x\"}",
		     "<a title=\"&quot; onclick&#61;x\">");
}

TEST(scalars)
{
	CHECK_RENDER("{{i}} {{n}} {{d}} {{t}} {{f}} [{{z}}] [{{missing}}] [{{o}}] [{{a}}]",
		     "{\"i\":42,\"n\":-9007199254740993,\"d\":1.5,\"t\":true,"
		     "\"f\":false,\"z\":null,\"o\":{\"k\":1},\"a\":[1]}",
		     "42 -9007199254740993 1.5 true false [] [] [] []");
	CHECK_RENDER("{{big}}", "{\"big\":1e300}", "1e+300");
	/* integers are written without snprintf (put_int): the edges of int64 */
	CHECK_RENDER("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
		     "{\"a\":0,\"b\":-1,\"c\":9223372036854775807,\"d\":-9223372036854775808,"
		     "\"e\":10,\"f\":1000000}",
		     "0 -1 9223372036854775807 -9223372036854775808 10 1000000");
	CHECK_RENDER("{{x}}", NULL, "");
	CHECK_RENDER("{{.}}", "\"top\"", "top");
}

TEST(triple_mustache)
{
	CHECK_RENDER("{{{body_html}}}", "{\"body_html\":\"<p>a&b</p>\"}", "<p>a&b</p>");
	CHECK_RENDER("{{{ m.body_html }}}", "{\"m\":{\"body_html\":\"<i>x</i>\"}}", "<i>x</i>");
	CHECK_RENDER("{{body_html}}", "{\"body_html\":\"<p>\"}", "&lt;p&gt;");
	CHECK(parse_fails("{{{body}}}"));
	CHECK(parse_fails("{{{html_body}}}"));
	CHECK(parse_fails("{{{.}}}"));
	CHECK(parse_fails("{{{body_html.text}}}"));
	CHECK(parse_fails("{{&body_html}}"));
	CHECK(parse_fails("{{&name}}"));
	char err[256];
	parse_err("line1\n{{{name}}}", NULL, err, sizeof(err));
	CHECK(strncmp(err, "t:2: ", 5) == 0);
}

TEST(dotted_and_stack_lookup)
{
	CHECK_RENDER("{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep");
	CHECK_RENDER("[{{a.x.c}}]", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "[]");
	CHECK_RENDER("[{{a.b.c}}]", "{\"a\":{\"b\":\"str\"}}", "[]");
	/* Outer names are visible inside sections; inner ones shadow them. */
	CHECK_RENDER("{{#user}}{{name}}@{{site}}{{/user}}",
		     "{\"site\":\"S\",\"name\":\"outer\",\"user\":{\"name\":\"in\"}}", "in@S");
	CHECK_RENDER("{{#items}}{{n}}{{csrf}};{{/items}}",
		     "{\"csrf\":\"K\",\"items\":[{\"n\":1},{\"n\":2}]}", "1K;2K;");
	/* A found first segment stops the outward search even if the rest is missing. */
	CHECK_RENDER("{{#inner}}[{{a.b}}]{{/inner}}",
		     "{\"a\":{\"b\":\"outer\"},\"inner\":{\"a\":{}}}", "[]");
	/* A null inner value shadows the outer one. */
	CHECK_RENDER("{{#inner}}[{{x}}]{{/inner}}", "{\"x\":\"outer\",\"inner\":{\"x\":null}}", "[]");
	CHECK_RENDER("{{#me}}{{#prefs}}{{me.name}}/{{lang}}{{/prefs}}{{/me}}",
		     "{\"me\":{\"name\":\"n\",\"prefs\":{\"lang\":\"ru\"}}}", "n/ru");
}

/* Names are hashed once when a template is linked and looked up with that hash
 * (lookup() in template.c): objects whose tables json-c has grown several times,
 * names found, missing, and found only outside. */
TEST(lookup_in_large_objects)
{
	struct buf json = BUF_INIT, want = BUF_INIT;
	buf_puts(&json, "{\"z\":\"outer\",\"o\":{");
	for (int i = 0; i < 300; i++)
		buf_printf(&json, "%s\"k%d\":\"v%d\"", i ? "," : "", i, i);
	buf_puts(&json, "}}");
	CHECK_RENDER("{{#o}}{{k0}} {{k57}} {{k299}} [{{k300}}{{missing}}] {{z}}{{/o}}", json.data,
		     "v0 v57 v299 [] outer");
	for (int i = 0; i < 300; i += 7)
		buf_printf(&want, "v%d,", i);
	struct buf src = BUF_INIT;
	buf_puts(&src, "{{#o}}");
	for (int i = 0; i < 300; i += 7)
		buf_printf(&src, "{{k%d}},", i);
	buf_puts(&src, "{{/o}}");
	CHECK_RENDER(src.data, json.data, want.data);
	buf_free(&src);
	buf_free(&want);
	buf_free(&json);
}

TEST(sections)
{
	const char *model = "{\"arr\":[{\"v\":\"a\"},{\"v\":\"b\"}],\"obj\":{\"v\":\"o\"},"
			    "\"t\":true,\"f\":false,\"empty\":[],\"es\":\"\",\"s\":\"str\","
			    "\"zero\":0,\"one\":1,\"dz\":0.0,\"z\":null}";
	CHECK_RENDER("{{#arr}}<{{v}}>{{/arr}}", model, "<a><b>");
	CHECK_RENDER("{{#obj}}<{{v}}>{{/obj}}", model, "<o>");
	CHECK_RENDER("{{#t}}yes{{/t}}{{#f}}no{{/f}}", model, "yes");
	CHECK_RENDER("[{{#empty}}x{{/empty}}]", model, "[]");
	CHECK_RENDER("[{{#missing}}x{{/missing}}]", model, "[]");
	CHECK_RENDER("[{{#z}}x{{/z}}{{#es}}x{{/es}}{{#zero}}x{{/zero}}{{#dz}}x{{/dz}}]", model, "[]");
	CHECK_RENDER("{{#s}}<{{.}}>{{/s}}{{#one}}<{{.}}>{{/one}}", model, "<str><1>");
	CHECK_RENDER("{{#a.b}}in{{/a.b}}", "{\"a\":{\"b\":true}}", "in");
	CHECK_RENDER("{{#arr}}{{#arr}}{{v}}{{/arr}}|{{/arr}}", model, "ab|ab|");
	CHECK_RENDER("{{#x}}{{#.}}{{#.}}{{.}}{{/.}}{{/.}}{{/x}}",
		     "{\"x\":[[[1,2],[3]]]}", "123");
}

TEST(inverted_sections)
{
	const char *model = "{\"arr\":[1],\"empty\":[],\"t\":true,\"f\":false,\"es\":\"\","
			    "\"obj\":{},\"zero\":0,\"z\":null}";
	CHECK_RENDER("[{{^arr}}x{{/arr}}{{^t}}x{{/t}}{{^obj}}x{{/obj}}]", model, "[]");
	CHECK_RENDER("{{^empty}}1{{/empty}}{{^f}}2{{/f}}{{^es}}3{{/es}}{{^zero}}4{{/zero}}"
		     "{{^z}}5{{/z}}{{^missing}}6{{/missing}}",
		     model, "123456");
	CHECK_RENDER("{{#arr}}a{{/arr}}{{^arr}}none{{/arr}}", "{\"arr\":[]}", "none");
	CHECK_RENDER("{{^a}}{{^b}}both missing{{/b}}{{/a}}", "{}", "both missing");
}

TEST(dot_in_arrays)
{
	CHECK_RENDER("{{#tags}}[{{.}}]{{/tags}}", "{\"tags\":[\"a\",\"<b>\",3,true,null]}",
		     "[a][&lt;b&gt;][3][true][]");
	CHECK_RENDER("{{#tags}}{{.}},{{/tags}}", "{\"tags\":[\"x\"]}", "x,");
}

TEST(comments)
{
	CHECK_RENDER("a{{! a comment with {{ and } inside }}b", NULL, "ab");
	CHECK_RENDER("a{{!}}b{{!\nmulti\nline\n}}c", NULL, "abc");
}

TEST(partials)
{
	const char *const partials[][2] = {
		{"partials/message", "<li>{{text}}</li>"},
		{"partials/head", "<title>{{title}}</title>"},
		{"nested", "[{{>partials/head}}]"},
		{NULL, NULL},
	};
	char *s = render_p("{{>partials/head}}<ul>{{#msgs}}{{> partials/message }}{{/msgs}}</ul>",
			   partials, "{\"title\":\"T&\",\"msgs\":[{\"text\":\"a\"},{\"text\":\"<\"}]}",
			   "en");
	CHECK_STR(s, "<title>T&amp;</title><ul><li>a</li><li>&lt;</li></ul>");
	free(s);
	s = render_p("{{>nested}}", partials, "{\"title\":\"x\"}", "en");
	CHECK_STR(s, "[<title>x</title>]");
	free(s);

	char err[256];
	parse_err("a\n\n{{>partials/nope}}", partials, err, sizeof(err));
	CHECK(strstr(err, "t:3: ") == err);
	CHECK(strstr(err, "partials/nope") != NULL);
	const char *const bad[][2] = {{"p", "{{>missing}}"}, {NULL, NULL}};
	parse_err("ok", bad, err, sizeof(err));
	CHECK(strstr(err, "p:1: ") == err);
	CHECK(parse_fails("{{>../etc/passwd}}"));
	CHECK(parse_fails("{{>}}"));
	CHECK(parse_fails("{{>a//b}}"));
	const char *const dup[][2] = {{"t", "x"}, {NULL, NULL}};
	parse_err("ok", dup, err, sizeof(err));
	CHECK(err[0] != '\0');
	s = render_p("x", no_partials, NULL, "en");
	CHECK_STR(s, "x");
	free(s);
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

TEST(recursive_partials)
{
	/* Self-recursion: the top level plus 16 nested partials. */
	char *s = render("a{{>t}}", NULL);
	CHECK_STR(s, "aaaaaaaaaaaaaaaaa");
	free(s);

	/* Mutual recursion is capped as well. */
	const char *const ping[][2] = {{"pong", "o{{>t}}"}, {NULL, NULL}};
	s = render_p("i{{>pong}}", ping, NULL, "en");
	CHECK(count_char(s, 'i') + count_char(s, 'o') == 17);
	free(s);

	/* A thread of replies: recursion driven by the model. */
	const char *const thread[][2] = {
		{"reply", "({{text}}{{#replies}}{{>reply}}{{/replies}})"}, {NULL, NULL}};
	s = render_p("{{#root}}{{>reply}}{{/root}}", thread,
		     "{\"root\":{\"text\":\"a\",\"replies\":[{\"text\":\"b\",\"replies\":[]},"
		     "{\"text\":\"c\",\"replies\":[{\"text\":\"d\",\"replies\":[]}]}]}}",
		     "en");
	CHECK_STR(s, "(a(b)(c(d)))");
	free(s);

	/* Exponential fan-out is stopped by the render budget: no crash, no hang,
	 * no half page. */
	s = render("{{>t}}{{>t}}{{>t}}{{>t}}{{>t}}{{>t}}{{>t}}{{>t}}", NULL);
	CHECK_STR(s, "<render error>");
	free(s);
}

TEST(malformed)
{
	char err[256];
	parse_err("hello {{name", NULL, err, sizeof(err));
	CHECK(strncmp(err, "t:1: ", 5) == 0);
	CHECK(strstr(err, "unclosed") != NULL);
	parse_err("a\nb {{{x_html}}", NULL, err, sizeof(err));
	CHECK(strncmp(err, "t:2: ", 5) == 0);
	parse_err("x\n{{#items}}\n<li>\n", NULL, err, sizeof(err));
	CHECK(strncmp(err, "t:2: ", 5) == 0);
	CHECK(strstr(err, "unclosed section") != NULL);
	parse_err("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}", NULL, err, sizeof(err));
	CHECK(strncmp(err, "t:3: ", 5) == 0);
	parse_err("text {{/a}}", NULL, err, sizeof(err));
	CHECK(strncmp(err, "t:1: ", 5) == 0);
	CHECK(parse_fails("{{^a}}x{{/b}}"));
	CHECK(parse_fails("{{}}"));
	CHECK(parse_fails("{{ }}"));
	CHECK(parse_fails("{{#}}{{/}}"));
	CHECK(parse_fails("{{a..b}}"));
	CHECK(parse_fails("{{.a}}"));
	CHECK(parse_fails("{{a.}}"));
	CHECK(parse_fails("{{a b}}"));
	CHECK(parse_fails("{{=<% %>=}}"));
	CHECK(parse_fails("{{@}}"));
	CHECK(parse_fails("{{@a b}}"));
	CHECK(parse_fails("{{{{x_html}}}}"));
	CHECK(parse_fails("{{"));
	CHECK(parse_fails("{{{"));
	CHECK(parse_fails("{{!"));
	CHECK(parse_fails("}}{{"));

	/* Too deep nesting is a parse error, not a stack overflow. */
	struct buf deep = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_puts(&deep, "{{#a}}");
	for (int i = 0; i < 100; i++)
		buf_puts(&deep, "{{/a}}");
	CHECK(parse_fails(deep.data));
	buf_reset(&deep);
	for (int i = 0; i < 20; i++)
		buf_puts(&deep, "{{#a}}");
	buf_puts(&deep, "{{x}}");
	for (int i = 0; i < 20; i++)
		buf_puts(&deep, "{{/a}}");
	char *s = render(deep.data, "{\"a\":true,\"x\":\"ok\"}");
	CHECK_STR(s, "ok");
	free(s);
	buf_free(&deep);

	/* err may be NULL. */
	CHECK(templates_parse_string("t", "{{", NULL, NULL, 0) == NULL);
	CHECK(templates_parse_string("t", NULL, NULL, err, sizeof(err)) == NULL);
	CHECK(templates_parse_string("bad name", "x", NULL, err, sizeof(err)) == NULL);
}

TEST(render_api)
{
	char err[256];
	struct templates *t = templates_parse_string("page", "{{x}}", NULL, err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK(template_exists(t, "page"));
	CHECK(!template_exists(t, "nope"));
	struct buf out = BUF_INIT;
	buf_puts(&out, "keep:");
	CHECK(template_render(t, "nope", NULL, "en", &out) == -1);
	CHECK_STR(out.data, "keep:");
	struct json_object *m = json_tokener_parse("{\"x\":\"v\"}");
	CHECK(template_render(t, "page", m, "en", &out) == 0);
	CHECK(template_render(t, "page", m, NULL, &out) == 0);
	CHECK_STR(out.data, "keep:vv");
	/* No catalogs: a lookup gives the key itself. */
	CHECK_STR(i18n_get(t, "ru", "some.key"), "some.key");
	json_object_put(m);
	buf_free(&out);
	templates_free(t);
	templates_free(NULL);
	CHECK(!template_exists(NULL, "page"));
}

TEST(i18n_without_catalogs)
{
	CHECK_RENDER("{{@chat.send}}", NULL, "chat.send");
	char *s = render_p("{{@a<b}}", NULL, NULL, "ru");
	CHECK_STR(s, "<parse error>");
	free(s);
}

/* ---- templates_load against a real directory ---- */

static int write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	int rc = fputs(text, f) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

static int make_dir(const char *dir, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static void remove_path(const char *dir, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (remove(path) != 0 && errno != ENOENT)
		printf("  cannot remove %s\n", path);
}

static const char *const tree_files[][2] = {
	{"i18n/en.txt", "# English\n"
			"greeting = Hello, <friend> & \"you\" 'n' `x` = y\n"
			"  only.en   =   English only  \n"
			"\n"
			"multi = one\\ntwo\n"
			"both = en both\n"},
	{"i18n/ru.txt", "\xEF\xBB\xBF# Russian\r\n"
			"greeting = Привет, <друг>\r\n"
			"both = ru оба\r\n"},
	{"page.html", "<h1>{{@greeting}}</h1>{{>partials/item}}|{{@only.en}}|{{@nokey}}|{{@multi}}"},
	{"partials/item.html", "<i>{{@both}} {{name}}</i>"},
	{"partials/deep/x.html", "{{!unused}}"},
	{"notes.txt", "ignored"},
	{".hidden.html", "{{ignored"},
};
#define NFILES (sizeof(tree_files) / sizeof(tree_files[0]))

static void remove_tree(const char *dir)
{
	for (size_t i = NFILES; i-- > 0;)
		remove_path(dir, tree_files[i][0]);
	remove_path(dir, "broken.html");
	remove_path(dir, "partials/deep");
	remove_path(dir, "partials");
	remove_path(dir, "i18n");
	if (rmdir(dir) != 0)
		printf("  cannot remove %s\n", dir);
}

static int make_tree(const char *dir)
{
	if (make_dir(dir, "i18n") < 0 || make_dir(dir, "partials") < 0 ||
	    make_dir(dir, "partials/deep") < 0)
		return -1;
	for (size_t i = 0; i < NFILES; i++)
		if (write_file(dir, tree_files[i][0], tree_files[i][1]) < 0)
			return -1;
	return 0;
}

static char *render_loaded(const struct templates *t, const char *lang)
{
	struct json_object *m = json_tokener_parse("{\"name\":\"<n>\"}");
	struct buf out = BUF_INIT;
	int rc = template_render(t, "page", m, lang, &out);
	char *s = strdup(rc == 0 && out.data ? out.data : "<error>");
	buf_free(&out);
	json_object_put(m);
	return s;
}

static void check_loaded(const struct templates *t)
{
	CHECK(template_exists(t, "page"));
	CHECK(template_exists(t, "partials/item"));
	CHECK(template_exists(t, "partials/deep/x"));
	CHECK(!template_exists(t, "notes"));
	CHECK(!template_exists(t, ".hidden"));
	CHECK_STR(i18n_get(t, "ru", "greeting"), "Привет, <друг>");
	CHECK_STR(i18n_get(t, "ru", "only.en"), "English only");
	CHECK_STR(i18n_get(t, "ru", "nokey"), "nokey");
	CHECK_STR(i18n_get(t, "de", "both"), "en both");
	CHECK_STR(i18n_get(t, NULL, "both"), "en both");
	CHECK_STR(i18n_get(t, "en", "multi"), "one\ntwo");

	char *s = render_loaded(t, "en");
	CHECK_STR(s, "<h1>Hello, &lt;friend&gt; &amp; &quot;you&quot; &#39;n&#39; &#96;x&#96; "
		     "&#61; y</h1><i>en both &lt;n&gt;</i>|English only|nokey|one\ntwo");
	free(s);
	s = render_loaded(t, "ru");
	CHECK_STR(s, "<h1>Привет, &lt;друг&gt;</h1><i>ru оба &lt;n&gt;</i>|English only|nokey|"
		     "one\ntwo");
	free(s);
	s = render_loaded(t, "fr");
	CHECK(strstr(s, "Hello, ") != NULL);
	free(s);
}

TEST(load_directory)
{
	char dir[] = "/tmp/messly-tpl-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	CHECK(make_tree(dir) == 0);
	char err[512];
	struct templates *t = templates_load(dir, err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL)
		printf("  %s\n", err);
	else
		check_loaded(t);
	templates_free(t);

	/* A broken template: file:line: message, and no set. */
	CHECK(write_file(dir, "broken.html", "ok\n{{#open}}\n") == 0);
	t = templates_load(dir, err, sizeof(err));
	CHECK(t == NULL);
	CHECK(strstr(err, "broken.html:2: ") != NULL);
	templates_free(t);
	remove_path(dir, "broken.html");

	/* A bad catalog line. */
	CHECK(write_file(dir, "i18n/ru.txt", "good = yes\nno equals sign\n") == 0);
	t = templates_load(dir, err, sizeof(err));
	CHECK(t == NULL);
	CHECK(strstr(err, "ru.txt:2: ") != NULL);
	CHECK(write_file(dir, "i18n/ru.txt", "a = 1\n = 2\n") == 0);
	t = templates_load(dir, err, sizeof(err));
	CHECK(t == NULL);
	CHECK(strstr(err, "ru.txt:2: ") != NULL);
	CHECK(write_file(dir, "i18n/ru.txt", "a = 1\nb = 2\na = 3\n") == 0);
	t = templates_load(dir, err, sizeof(err));
	CHECK(t == NULL);
	CHECK(strstr(err, "ru.txt:3: ") != NULL);

	/* A partial that names no template. */
	CHECK(write_file(dir, "i18n/ru.txt", "") == 0);
	CHECK(write_file(dir, "partials/item.html", "\n{{>partials/gone}}") == 0);
	t = templates_load(dir, err, sizeof(err));
	CHECK(t == NULL);
	CHECK(strstr(err, "item.html:2: ") != NULL);

	remove_tree(dir);
	t = templates_load(dir, err, sizeof(err));
	CHECK(t == NULL);
	CHECK(err[0] != '\0');
}

/* The project's own templates and catalogs load (no parse error, no
 * duplicate key) and both languages have the same keys. Run from the
 * repository root, as make unit does. */
TEST(project_templates_load)
{
	char err[512] = "";
	struct templates *t = templates_load("templates", err, sizeof(err));
	if (t == NULL)
		printf("  %s\n", err);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK(template_exists(t, "chat"));
	CHECK(template_exists(t, "partials/message"));
	templates_free(t);
	FILE *f[2] = {fopen("templates/i18n/en.txt", "r"), fopen("templates/i18n/ru.txt", "r")};
	CHECK(f[0] != NULL && f[1] != NULL);
	if (f[0] == NULL || f[1] == NULL)
		goto out;
	/* every key of one catalog is in the other */
	static char keys[2][2000][96];
	int n[2] = {0, 0};
	char line[4096];
	for (int l = 0; l < 2; l++)
		while (fgets(line, sizeof(line), f[l]) && n[l] < 2000) {
			char *eq = strchr(line, '=');
			if (line[0] == '#' || eq == NULL)
				continue;
			while (eq > line && eq[-1] == ' ')
				eq--;
			snprintf(keys[l][n[l]++], 96, "%.*s", (int)(eq - line), line);
		}
	for (int l = 0; l < 2; l++)
		for (int i = 0; i < n[l]; i++) {
			int found = 0;
			for (int j = 0; j < n[1 - l] && !found; j++)
				found = strcmp(keys[l][i], keys[1 - l][j]) == 0;
			if (!found)
				printf("  %s is missing from the %s catalog\n", keys[l][i], l ? "en" : "ru");
			CHECK(found);
		}
out:
	for (int l = 0; l < 2; l++)
		if (f[l])
			fclose(f[l]);
}

int main(void)
{
	RUN(project_templates_load);
	RUN(plain_text);
	RUN(escape_every_special);
	RUN(scalars);
	RUN(triple_mustache);
	RUN(dotted_and_stack_lookup);
	RUN(lookup_in_large_objects);
	RUN(sections);
	RUN(inverted_sections);
	RUN(dot_in_arrays);
	RUN(comments);
	RUN(partials);
	RUN(recursive_partials);
	RUN(malformed);
	RUN(render_api);
	RUN(i18n_without_catalogs);
	RUN(load_directory);
	return unit_summary();
}
