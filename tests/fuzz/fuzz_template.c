/* fuzz_template.c: libFuzzer target for the template engine. The input is
 * compiled as one template (with a few fixed partials, one of them
 * recursive) and rendered in both languages against a small fixed model.
 * Build: clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined
 *   -Icgi tests/fuzz/fuzz_template.c cgi/template.c cgi/buf.c cgi/arena.c
 *   $(pkg-config --cflags --libs json-c) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

#define FUZZ_INPUT_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_partials[][2] = {
	{"p", "<{{name}}>{{#items}}[{{.}}]{{/items}}{{@greeting}}"},
	{"partials/self", "{{#obj}}({{name}}{{>partials/self}}){{/obj}}"},
	{"partials/raw", "{{{obj.body_html}}}{{^empty}}none{{/empty}}"},
	{NULL, NULL},
};

static const char fuzz_model[] =
	"{\"name\":\"<b>&'\\\"`=\",\"n\":42,\"neg\":-7,\"d\":1.5,\"t\":true,"
	"\"f\":false,\"z\":null,\"s\":\"\",\"items\":[\"a\",\"<b>\",3],"
	"\"obj\":{\"name\":\"in\",\"body_html\":\"<i>x</i>\",\"obj\":{\"k\":1}},"
	"\"empty\":[],\"list\":[{\"name\":\"x\",\"own\":true},{\"name\":\"y\"}]}";

static void fuzz_render(const struct templates *t, struct json_object *model)
{
	static const char *const langs[] = {"en", "ru", NULL};
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		struct buf out = BUF_INIT;
		if (template_render(t, "fuzz", model, langs[i], &out) == 0 && out.data != NULL &&
		    strlen(out.data) > out.len)
			abort(); /* the buffer must stay NUL-terminated at len */
		buf_free(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_INPUT_MAX)
		return 0;
	char *src = malloc(size + 1);
	if (src == NULL)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	char err[256];
	struct templates *t = templates_parse_string("fuzz", src, fuzz_partials, err, sizeof(err));
	free(src); /* the set keeps its own copy */
	if (t == NULL)
		return 0;
	struct json_object *model = json_tokener_parse(fuzz_model);
	fuzz_render(t, model);
	json_object_put(model);
	templates_free(t);
	return 0;
}
