/* template.c: the logic-less template engine and message catalogs (see
 * template.h). Every template is compiled once into a node tree kept in one
 * arena; partials and catalog strings are resolved when the set is linked, so
 * rendering only walks the tree with a context stack on the C stack and
 * allocates nothing besides growing the output buffer. */
#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

#define PARTIAL_DEPTH_MAX 16                 /* nested partials at render */
#define SECTION_DEPTH_MAX 32                 /* nested sections per template */
#define DIR_DEPTH_MAX 8                      /* subdirectory levels */
#define FILE_SIZE_MAX ((off_t)1 << 20)       /* one template or catalog */
#define RENDER_VISITS_MAX (1UL << 20)        /* nodes visited per render */
#define RENDER_OUTPUT_MAX ((size_t)64 << 20) /* bytes written per render */
#define LANG_LEN_MAX 15
#define ERR_NAME_MAX 64 /* bytes of a bad name quoted in an error */

enum node_kind {
	N_TEXT,     /* literal bytes */
	N_VAR,      /* {{name}}, escaped */
	N_RAW,      /* {{{name_html}}}, trusted */
	N_SECTION,  /* {{#name}} .. {{/name}} */
	N_INVERTED, /* {{^name}} .. {{/name}} */
	N_PARTIAL,  /* {{>name}} */
	N_I18N,     /* {{@key}} */
	N_PLURAL,   /* {{@key|count}}: key.one / key.few / key.many by count */
};

struct path {
	const char **seg;    /* dotted segments; nseg == 0 means "." */
	unsigned long *hash; /* each segment's json-c key hash, set when linking */
	size_t nseg;
};

struct tmpl;

struct node {
	enum node_kind kind;
	unsigned line;
	struct node *next;
	const char *text;           /* N_TEXT bytes, else the NUL-ended tag name */
	size_t len;                 /* N_TEXT length */
	struct path path;           /* N_VAR, N_RAW, N_SECTION, N_INVERTED */
	struct node *child;         /* section body */
	const struct tmpl *partial; /* N_PARTIAL, set when linking */
	const char **i18n;          /* N_I18N: escaped text per catalog + fallback;
				     * N_PLURAL: PLURAL_FORMS per catalog + fallback */
};

struct tmpl {
	const char *name;
	const char *file; /* for error messages */
	struct node *body;
};

struct msg {
	const char *key, *value;
	unsigned line;
};

struct catalog {
	char lang[LANG_LEN_MAX + 1];
	const char *file;
	struct msg *msgs; /* sorted by key */
	size_t n;
};

struct templates {
	struct arena arena; /* every node, name, source and string */
	struct tmpl *tmpls; /* sorted by name */
	size_t ntmpl;
	struct catalog *cats;
	size_t ncat;
	lh_hash_fn *key_hash; /* json-c's hash of object keys in this process */
};

/* ---- errors ---- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (err == NULL || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n < 0)
		err[0] = '\0';
}

static int err_name_len(size_t len)
{
	return (int)(len > ERR_NAME_MAX ? ERR_NAME_MAX : len);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && is_ws(**b))
		(*b)++;
	while (*e > *b && is_ws((*e)[-1]))
		(*e)--;
}

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* ---- name validation ---- */

/* "." or word segments joined by '.'. */
static bool valid_path(const char *s, size_t len)
{
	if (len == 1 && s[0] == '.')
		return true;
	bool seg_empty = true;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (seg_empty)
				return false;
			seg_empty = true;
		} else if (is_word(s[i])) {
			seg_empty = false;
		} else {
			return false;
		}
	}
	return !seg_empty;
}

/* Template names: segments of word chars and '.', joined by '/';
 * no empty, "." or ".." segment. */
static bool valid_tname(const char *s, size_t len)
{
	size_t seg = 0, dots = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			if (seg == 0 || dots == seg)
				return false;
			seg = dots = 0;
		} else if (is_word(s[i]) || s[i] == '.') {
			seg++;
			dots += s[i] == '.';
		} else {
			return false;
		}
	}
	return true;
}

static bool valid_key(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_word(s[i]) && s[i] != '.')
			return false;
	return len > 0;
}

static bool ends_html(const char *s, size_t len)
{
	return len >= 4 && memcmp(s + len - 4, "html", 4) == 0;
}

/* ---- parser ---- */

struct parser {
	struct arena *a;
	const char *file;
	const char *p; /* cursor in the NUL-terminated source */
	unsigned line; /* line of *p */
	char *err;
	size_t errlen;
};

struct tag {
	char sigil;       /* '\0' variable, '{' triple, or one of #^/>@!& */
	const char *name; /* trimmed, not NUL-terminated */
	size_t len;
	unsigned line;
};

static int perr(const struct parser *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(const struct parser *ps, unsigned line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	set_err(ps->err, ps->errlen, "%s:%u: %s", ps->file, line, msg);
	return -1;
}

static void advance(struct parser *ps, const char *to)
{
	for (; ps->p < to; ps->p++)
		if (*ps->p == '\n')
			ps->line++;
}

static struct node *new_node(struct parser *ps, enum node_kind kind, unsigned line)
{
	struct node *n = arena_alloc(ps->a, sizeof(*n));
	n->kind = kind;
	n->line = line;
	return n;
}

static struct node *text_node(struct parser *ps, size_t len)
{
	struct node *n = new_node(ps, N_TEXT, ps->line);
	n->text = ps->p;
	n->len = len;
	advance(ps, ps->p + len);
	return n;
}

/* Reads the tag at ps->p (which starts with "{{") and moves past it. */
static int scan_tag(struct parser *ps, struct tag *tg)
{
	bool triple = ps->p[2] == '{';
	const char *open = ps->p + (triple ? 3 : 2);
	const char *end = strstr(open, triple ? "}}}" : "}}");
	tg->line = ps->line;
	if (end == NULL)
		return perr(ps, tg->line, "unclosed %s", triple ? "{{{" : "{{");
	tg->sigil = triple ? '{' : '\0';
	if (!triple && *open != '\0' && strchr("#^/>@!&", *open) != NULL)
		tg->sigil = *open++;
	const char *e = end;
	trim(&open, &e);
	tg->name = open;
	tg->len = (size_t)(e - open);
	advance(ps, end + (triple ? 3 : 2));
	return 0;
}

static struct path make_path(struct arena *a, const char *s, size_t len)
{
	struct path p = {NULL, NULL, 0};
	if (len == 1 && s[0] == '.')
		return p;
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '.';
	p.seg = arena_calloc(a, n, sizeof(*p.seg));
	p.hash = arena_calloc(a, n, sizeof(*p.hash));
	for (const char *b = s, *end = s + len; b < end; p.nseg++) {
		const char *dot = memchr(b, '.', (size_t)(end - b));
		const char *e = dot ? dot : end;
		p.seg[p.nseg] = arena_strndup(a, b, (size_t)(e - b));
		b = e + 1;
	}
	return p;
}

static int var_node(struct parser *ps, const struct tag *tg, struct node **out)
{
	if (!valid_path(tg->name, tg->len))
		return perr(ps, tg->line, "bad name '%.*s'", err_name_len(tg->len), tg->name);
	if (tg->sigil == '{' && !ends_html(tg->name, tg->len))
		return perr(ps, tg->line, "{{{%.*s}}}: raw output only for names ending in html",
			    err_name_len(tg->len), tg->name);
	struct node *n = new_node(ps, tg->sigil == '{' ? N_RAW : N_VAR, tg->line);
	n->text = arena_strndup(ps->a, tg->name, tg->len);
	n->path = make_path(ps->a, tg->name, tg->len);
	*out = n;
	return 0;
}

static int parse_list(struct parser *ps, const struct node *open, int depth,
		      struct node **out);

static int section_node(struct parser *ps, const struct tag *tg, int depth,
			struct node **out)
{
	if (depth >= SECTION_DEPTH_MAX)
		return perr(ps, tg->line, "sections nested deeper than %d", SECTION_DEPTH_MAX);
	struct node *n = NULL;
	if (var_node(ps, tg, &n) < 0)
		return -1;
	n->kind = tg->sigil == '#' ? N_SECTION : N_INVERTED;
	if (parse_list(ps, n, depth + 1, &n->child) < 0)
		return -1;
	*out = n;
	return 0;
}

/* {{@key|count}}: a plural message, the form chosen by the number at the
 * path count (see i18n_plural()). */
static int plural_node(struct parser *ps, const struct tag *tg, const char *bar,
		       struct node **out)
{
	size_t klen = (size_t)(bar - tg->name), plen = tg->len - klen - 1;
	if (!valid_key(tg->name, klen) || !valid_path(bar + 1, plen))
		return perr(ps, tg->line, "bad plural message '%.*s'", err_name_len(tg->len),
			    tg->name);
	struct node *n = new_node(ps, N_PLURAL, tg->line);
	n->text = arena_strndup(ps->a, tg->name, klen);
	n->path = make_path(ps->a, bar + 1, plen);
	*out = n;
	return 0;
}

static int named_node(struct parser *ps, const struct tag *tg, struct node **out)
{
	bool partial = tg->sigil == '>';
	const char *bar = partial ? NULL : memchr(tg->name, '|', tg->len);
	if (bar != NULL)
		return plural_node(ps, tg, bar, out);
	bool ok = partial ? valid_tname(tg->name, tg->len) : valid_key(tg->name, tg->len);
	if (!ok)
		return perr(ps, tg->line, "bad %s name '%.*s'", partial ? "partial" : "message",
			    err_name_len(tg->len), tg->name);
	struct node *n = new_node(ps, partial ? N_PARTIAL : N_I18N, tg->line);
	n->text = arena_strndup(ps->a, tg->name, tg->len);
	*out = n;
	return 0;
}

/* Turns a tag (other than a close tag) into a node; comments give none. */
static int tag_node(struct parser *ps, const struct tag *tg, int depth, struct node **out)
{
	*out = NULL;
	switch (tg->sigil) {
	case '!':
		return 0;
	case '&':
		return perr(ps, tg->line, "{{&...}} is not supported; use {{{name_html}}}");
	case '#':
	case '^':
		return section_node(ps, tg, depth, out);
	case '>':
	case '@':
		return named_node(ps, tg, out);
	default:
		return var_node(ps, tg, out);
	}
}

static int close_tag(struct parser *ps, const struct node *open, const struct tag *tg)
{
	if (open == NULL)
		return perr(ps, tg->line, "{{/%.*s}} closes no section",
			    err_name_len(tg->len), tg->name);
	if (strlen(open->text) != tg->len || memcmp(open->text, tg->name, tg->len) != 0)
		return perr(ps, tg->line, "{{/%.*s}} does not close {{%c%s}} of line %u",
			    err_name_len(tg->len), tg->name,
			    open->kind == N_SECTION ? '#' : '^', open->text, open->line);
	return 1;
}

/* Parses nodes into *out until the end of input (returns 0) or the close tag
 * of `open` (returns 1); -1 on error. */
static int parse_list(struct parser *ps, const struct node *open, int depth,
		      struct node **out)
{
	struct node **tail = out;
	for (;;) {
		const char *q = strstr(ps->p, "{{");
		size_t n = q ? (size_t)(q - ps->p) : strlen(ps->p);
		if (n > 0) {
			*tail = text_node(ps, n);
			tail = &(*tail)->next;
		}
		if (q == NULL && open != NULL)
			return perr(ps, open->line, "unclosed section {{%c%s}}",
				    open->kind == N_SECTION ? '#' : '^', open->text);
		if (q == NULL)
			return 0;
		struct tag tg;
		if (scan_tag(ps, &tg) < 0)
			return -1;
		if (tg.sigil == '/')
			return close_tag(ps, open, &tg);
		if (tag_node(ps, &tg, depth, tail) < 0)
			return -1;
		if (*tail != NULL)
			tail = &(*tail)->next;
	}
}

/* ---- building a set ---- */

struct tmpl_list {
	struct tmpl tm;
	struct tmpl_list *next;
};

struct cat_list {
	struct catalog cat;
	struct cat_list *next;
};

struct loader {
	struct templates *t;
	struct tmpl_list *tmpls;
	size_t ntmpl;
	struct cat_list *cats;
	size_t ncat;
	char *err;
	size_t errlen;
};

/* Compiles src (kept: text nodes point into it) as template `name`. */
static int add_template(struct loader *L, const char *name, const char *file,
			const char *src)
{
	if (!valid_tname(name, strlen(name))) {
		set_err(L->err, L->errlen, "%s: bad template name '%.*s'", file,
			err_name_len(strlen(name)), name);
		return -1;
	}
	struct parser ps = {&L->t->arena, file, src, 1, L->err, L->errlen};
	struct tmpl_list *tl = arena_alloc(&L->t->arena, sizeof(*tl));
	tl->tm.name = name;
	tl->tm.file = file;
	if (parse_list(&ps, NULL, 0, &tl->tm.body) < 0)
		return -1;
	tl->next = L->tmpls;
	L->tmpls = tl;
	L->ntmpl++;
	return 0;
}

static int tmpl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tmpl *)a)->name, ((const struct tmpl *)b)->name);
}

static int msg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct msg *)a)->key, ((const struct msg *)b)->key);
}

static const struct tmpl *find_tmpl(const struct templates *t, const char *name)
{
	if (t == NULL || name == NULL || t->ntmpl == 0)
		return NULL;
	struct tmpl key = {name, NULL, NULL};
	return bsearch(&key, t->tmpls, t->ntmpl, sizeof(*t->tmpls), tmpl_cmp);
}

static const char *cat_find(const struct catalog *c, const char *key)
{
	if (c == NULL || c->n == 0)
		return NULL;
	struct msg k = {key, NULL, 0};
	const struct msg *m = bsearch(&k, c->msgs, c->n, sizeof(*c->msgs), msg_cmp);
	return m ? m->value : NULL;
}

/* Index of lang's catalog, or t->ncat when there is none. */
static size_t lang_index(const struct templates *t, const char *lang)
{
	size_t i = 0;
	while (lang != NULL && i < t->ncat && strcmp(t->cats[i].lang, lang) != 0)
		i++;
	return lang != NULL ? i : t->ncat;
}

/* The string for key in catalog i (t->ncat: none), falling back to en,
 * then to the key. */
static const char *lookup_msg(const struct templates *t, size_t i, const char *key)
{
	const char *s = i < t->ncat ? cat_find(&t->cats[i], key) : NULL;
	size_t en = lang_index(t, "en");
	if (s == NULL && en < t->ncat)
		s = cat_find(&t->cats[en], key);
	return s ? s : key;
}

static void link_i18n(struct templates *t, struct node *n, struct buf *scratch)
{
	n->i18n = arena_calloc(&t->arena, t->ncat + 1, sizeof(*n->i18n));
	for (size_t i = 0; i <= t->ncat; i++) {
		const char *s = lookup_msg(t, i, n->text);
		buf_reset(scratch);
		buf_html_escape(scratch, s, strlen(s));
		n->i18n[i] = scratch->data ? arena_strndup(&t->arena, scratch->data, scratch->len) : "";
	}
}

/* The catalog i's string for key.FORM; a missing form falls back to
 * key.many of the same catalog, then the usual fallback (en, the key). */
static const char *plural_msg(const struct templates *t, size_t i, const char *key,
			      const char *form, struct buf *name)
{
	buf_reset(name);
	buf_printf(name, "%s.%s", key, form);
	const char *s = i < t->ncat ? cat_find(&t->cats[i], name->data) : NULL;
	if (s == NULL && strcmp(form, "many") != 0) {
		buf_reset(name);
		buf_printf(name, "%s.many", key);
		s = i < t->ncat ? cat_find(&t->cats[i], name->data) : NULL;
	}
	if (s == NULL) {
		buf_reset(name);
		buf_printf(name, "%s.%s", key, form);
		s = lookup_msg(t, i, name->data);
	}
	return s;
}

static const char *const plural_forms[PLURAL_FORMS] = {"one", "few", "many"};

static void link_plural(struct templates *t, struct node *n, struct buf *scratch)
{
	n->i18n = arena_calloc(&t->arena, (t->ncat + 1) * PLURAL_FORMS, sizeof(*n->i18n));
	struct buf name = BUF_INIT;
	for (size_t i = 0; i <= t->ncat; i++) {
		for (int f = 0; f < PLURAL_FORMS; f++) {
			const char *s = plural_msg(t, i, n->text, plural_forms[f], &name);
			buf_reset(scratch);
			buf_html_escape(scratch, s, strlen(s));
			n->i18n[i * PLURAL_FORMS + (size_t)f] =
				scratch->data ? arena_strndup(&t->arena, scratch->data, scratch->len) : "";
		}
	}
	buf_free(&name);
}

/* json-c hashes every object's keys with the one function it had when the object
 * was made (lh_char_hash, seeded once per process, inherited by forked workers):
 * a name's segments are hashed here once, so that rendering, which looks each name
 * up in every enclosing context until one has it, hashes nothing (lookup()). */
static void hash_path(const struct templates *t, struct path *p)
{
	for (size_t i = 0; i < p->nseg; i++)
		p->hash[i] = t->key_hash(p->seg[i]);
}

static int link_list(struct loader *L, const struct tmpl *tm, struct node *n,
		     struct buf *scratch)
{
	for (; n != NULL; n = n->next) {
		hash_path(L->t, &n->path);
		if (n->kind == N_PARTIAL) {
			n->partial = find_tmpl(L->t, n->text);
			if (n->partial == NULL) {
				set_err(L->err, L->errlen, "%s:%u: no template '%s' for partial",
					tm->file, n->line, n->text);
				return -1;
			}
		}
		if (n->kind == N_I18N)
			link_i18n(L->t, n, scratch);
		if (n->kind == N_PLURAL)
			link_plural(L->t, n, scratch);
		if (n->child != NULL && link_list(L, tm, n->child, scratch) < 0)
			return -1;
	}
	return 0;
}

static int pack_templates(struct loader *L)
{
	struct templates *t = L->t;
	t->tmpls = arena_calloc(&t->arena, L->ntmpl ? L->ntmpl : 1, sizeof(*t->tmpls));
	for (struct tmpl_list *tl = L->tmpls; tl != NULL; tl = tl->next)
		t->tmpls[t->ntmpl++] = tl->tm;
	qsort(t->tmpls, t->ntmpl, sizeof(*t->tmpls), tmpl_cmp);
	for (size_t i = 1; i < t->ntmpl; i++) {
		if (strcmp(t->tmpls[i - 1].name, t->tmpls[i].name) == 0) {
			set_err(L->err, L->errlen, "%s: duplicate template name '%s'",
				t->tmpls[i].file, t->tmpls[i].name);
			return -1;
		}
	}
	return 0;
}

static void pack_catalogs(struct loader *L)
{
	struct templates *t = L->t;
	t->cats = arena_calloc(&t->arena, L->ncat ? L->ncat : 1, sizeof(*t->cats));
	for (struct cat_list *cl = L->cats; cl != NULL; cl = cl->next)
		t->cats[t->ncat++] = cl->cat;
}

/* Packs the lists into sorted arrays and resolves partials and messages. */
static int finish(struct loader *L)
{
	if (pack_templates(L) < 0)
		return -1;
	pack_catalogs(L);
	struct json_object *probe = json_object_new_object();
	if (probe == NULL)
		return -1;
	L->t->key_hash = json_object_get_object(probe)->hash_fn;
	json_object_put(probe);
	struct buf scratch = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < L->t->ntmpl && rc == 0; i++)
		rc = link_list(L, &L->t->tmpls[i], L->t->tmpls[i].body, &scratch);
	buf_free(&scratch);
	return rc;
}

static struct templates *templates_new(char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	struct templates *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	arena_init(&t->arena);
	return t;
}

struct templates *templates_parse_string(const char *name, const char *src,
					 const char *const (*partials)[2],
					 char *err, size_t errlen)
{
	struct templates *t = templates_new(err, errlen);
	if (t == NULL)
		return NULL;
	struct loader L = {.t = t, .err = err, .errlen = errlen};
	struct arena *a = &t->arena;
	int rc = 0;
	if (name == NULL || src == NULL) {
		set_err(err, errlen, "no template name or source");
		rc = -1;
	} else {
		const char *nm = arena_strdup(a, name);
		rc = add_template(&L, nm, nm, arena_strdup(a, src));
	}
	for (size_t i = 0; rc == 0 && partials != NULL && partials[i][0] != NULL; i++) {
		const char *pn = arena_strdup(a, partials[i][0]);
		const char *ps = partials[i][1] ? partials[i][1] : "";
		rc = add_template(&L, pn, pn, arena_strdup(a, ps));
	}
	if (rc == 0)
		rc = finish(&L);
	if (rc < 0) {
		templates_free(t);
		return NULL;
	}
	return t;
}

/* ---- loading from a directory ---- */

static int lerr(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int lerr(struct loader *L, const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	set_err(L->err, L->errlen, "%s", msg);
	return -1;
}

/* out = a "/" b, or whichever is non-empty. */
static int join(char *out, size_t size, const char *a, const char *b)
{
	int n;
	if (a[0] == '\0' || b[0] == '\0')
		n = snprintf(out, size, "%s%s", a, b);
	else
		n = snprintf(out, size, "%s/%s", a, b);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static char *read_fd(struct loader *L, int fd, const char *path, size_t size, size_t *lenp)
{
	char *s = arena_alloc(&L->t->arena, size + 1);
	size_t got = 0;
	while (got < size) {
		ssize_t r = read(fd, s + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			lerr(L, "%s: %s", path, strerror(errno));
			return NULL;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	s[got] = '\0';
	if (memchr(s, '\0', got) != NULL) {
		lerr(L, "%s: NUL byte in file", path);
		return NULL;
	}
	*lenp = got;
	return s;
}

/* The whole file, NUL-terminated, in the arena (NULL on error). */
static char *read_file(struct loader *L, const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lerr(L, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	char *s = NULL;
	if (fstat(fd, &st) != 0)
		lerr(L, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode) || st.st_size > FILE_SIZE_MAX)
		lerr(L, "%s: not a regular file or larger than %ld bytes", path,
		     (long)FILE_SIZE_MAX);
	else
		s = read_fd(L, fd, path, (size_t)st.st_size, lenp);
	if (close(fd) != 0 && s != NULL) {
		lerr(L, "%s: %s", path, strerror(errno));
		s = NULL;
	}
	return s;
}

static const char *skip_bom(const char *s)
{
	return strncmp(s, "\xEF\xBB\xBF", 3) == 0 ? s + 3 : s;
}

/* Copies [b, e) turning \n into a newline and \\ into a backslash. */
static char *unescape(struct arena *a, const char *b, const char *e)
{
	char *out = arena_alloc(a, (size_t)(e - b) + 1), *o = out;
	for (; b < e; b++) {
		if (*b == '\\' && b + 1 < e && (b[1] == 'n' || b[1] == '\\'))
			*o++ = *++b == 'n' ? '\n' : '\\';
		else
			*o++ = *b;
	}
	*o = '\0';
	return out;
}

static int parse_msg_line(struct loader *L, struct catalog *c, unsigned line,
			  const char *b, const char *e)
{
	trim(&b, &e);
	if (b == e || *b == '#')
		return 0;
	const char *eq = memchr(b, '=', (size_t)(e - b));
	if (eq == NULL)
		return lerr(L, "%s:%u: expected 'key = value'", c->file, line);
	const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
	trim(&kb, &ke);
	trim(&vb, &ve);
	if (kb == ke)
		return lerr(L, "%s:%u: empty key", c->file, line);
	struct msg *m = &c->msgs[c->n++];
	m->key = arena_strndup(&L->t->arena, kb, (size_t)(ke - kb));
	m->value = unescape(&L->t->arena, vb, ve);
	m->line = line;
	return 0;
}

static int check_dup_keys(struct loader *L, const struct catalog *c)
{
	for (size_t i = 1; i < c->n; i++)
		if (strcmp(c->msgs[i - 1].key, c->msgs[i].key) == 0)
			return lerr(L, "%s:%u: duplicate key '%s'", c->file,
				    c->msgs[i].line, c->msgs[i].key);
	return 0;
}

static int parse_catalog(struct loader *L, struct catalog *c, const char *s)
{
	size_t cap = 1;
	for (const char *q = s; *q != '\0'; q++)
		cap += *q == '\n';
	c->msgs = arena_calloc(&L->t->arena, cap, sizeof(*c->msgs));
	unsigned line = 1;
	for (const char *b = skip_bom(s); b != NULL; line++) {
		const char *nl = strchr(b, '\n');
		const char *e = nl ? nl : b + strlen(b);
		if (parse_msg_line(L, c, line, b, e) < 0)
			return -1;
		b = nl ? nl + 1 : NULL;
	}
	qsort(c->msgs, c->n, sizeof(*c->msgs), msg_cmp);
	return check_dup_keys(L, c);
}

static bool valid_lang(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_word(s[i]))
			return false;
	return len > 0 && len <= LANG_LEN_MAX;
}

static int load_catalog(struct loader *L, const char *idir, const char *fname)
{
	size_t n = strlen(fname);
	if (n <= 4 || strcmp(fname + n - 4, ".txt") != 0)
		return 0;
	char path[PATH_MAX];
	if (join(path, sizeof(path), idir, fname) < 0)
		return lerr(L, "%s/%s: path too long", idir, fname);
	if (!valid_lang(fname, n - 4))
		return lerr(L, "%s: bad language name", path);
	struct cat_list *cl = arena_alloc(&L->t->arena, sizeof(*cl));
	memcpy(cl->cat.lang, fname, n - 4);
	cl->cat.file = arena_strdup(&L->t->arena, path);
	size_t len = 0;
	const char *s = read_file(L, path, &len);
	if (s == NULL || parse_catalog(L, &cl->cat, s) < 0)
		return -1;
	cl->next = L->cats;
	L->cats = cl;
	L->ncat++;
	return 0;
}

/* Calls fn for every entry of dir not starting with '.'. */
static int each_entry(struct loader *L, const char *dir, bool missing_ok,
		      int (*fn)(struct loader *, const char *, const char *, void *), void *arg)
{
	DIR *d = opendir(dir);
	if (d == NULL && missing_ok && errno == ENOENT)
		return 0;
	if (d == NULL)
		return lerr(L, "%s: %s", dir, strerror(errno));
	int rc = 0;
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (e == NULL) {
			if (errno != 0)
				rc = lerr(L, "%s: %s", dir, strerror(errno));
			break;
		}
		if (e->d_name[0] != '.' && (rc = fn(L, dir, e->d_name, arg)) < 0)
			break;
	}
	if (closedir(d) != 0 && rc == 0)
		rc = lerr(L, "%s: %s", dir, strerror(errno));
	return rc;
}

static int catalog_entry(struct loader *L, const char *dir, const char *name, void *arg)
{
	(void)arg;
	return load_catalog(L, dir, name);
}

static int load_catalogs(struct loader *L, const char *root)
{
	char idir[PATH_MAX];
	if (join(idir, sizeof(idir), root, "i18n") < 0)
		return lerr(L, "%s: path too long", root);
	return each_entry(L, idir, true, catalog_entry, NULL);
}

struct walk {
	const char *root;
	const char *rel; /* directory relative to root, "" at the top */
	int depth;
};

static int walk_dir(struct loader *L, const struct walk *w);

static int load_template(struct loader *L, const char *full, const char *rel, size_t namelen)
{
	size_t len = 0;
	const char *src = read_file(L, full, &len);
	if (src == NULL)
		return -1;
	struct arena *a = &L->t->arena;
	return add_template(L, arena_strndup(a, rel, namelen), arena_strdup(a, full),
			    skip_bom(src));
}

static int walk_entry(struct loader *L, const char *dir, const char *name, void *arg)
{
	const struct walk *w = arg;
	char rel[PATH_MAX], full[PATH_MAX];
	if (join(rel, sizeof(rel), w->rel, name) < 0 || join(full, sizeof(full), dir, name) < 0)
		return lerr(L, "%s/%s: path too long", dir, name);
	struct stat st;
	if (stat(full, &st) != 0)
		return lerr(L, "%s: %s", full, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (w->depth >= DIR_DEPTH_MAX)
			return lerr(L, "%s: directories nested too deeply", full);
		struct walk sub = {w->root, rel, w->depth + 1};
		return walk_dir(L, &sub);
	}
	size_t n = strlen(rel);
	if (!S_ISREG(st.st_mode) || n <= 5 || strcmp(rel + n - 5, ".html") != 0)
		return 0;
	return load_template(L, full, rel, n - 5);
}

static int walk_dir(struct loader *L, const struct walk *w)
{
	char dir[PATH_MAX];
	if (join(dir, sizeof(dir), w->root, w->rel) < 0)
		return lerr(L, "%s/%s: path too long", w->root, w->rel);
	return each_entry(L, dir, false, walk_entry, (void *)w);
}

struct templates *templates_load(const char *dir, char *err, size_t errlen)
{
	struct templates *t = templates_new(err, errlen);
	if (t == NULL)
		return NULL;
	struct loader L = {.t = t, .err = err, .errlen = errlen};
	struct walk w = {dir ? dir : "", "", 0};
	int rc = dir == NULL || dir[0] == '\0' ? lerr(&L, "no template directory") : 0;
	if (rc == 0)
		rc = load_catalogs(&L, dir);
	if (rc == 0)
		rc = walk_dir(&L, &w);
	if (rc == 0)
		rc = finish(&L);
	if (rc < 0) {
		templates_free(t);
		return NULL;
	}
	return t;
}

void templates_free(struct templates *t)
{
	if (t == NULL)
		return;
	arena_free(&t->arena);
	free(t);
}

/* ---- rendering ---- */

struct ctx {
	struct json_object *v;
	const struct ctx *up; /* enclosing context, NULL at the model */
};

struct render {
	const struct templates *t;
	struct buf *out;
	size_t start;         /* out->len before rendering */
	size_t lang;          /* catalog index, t->ncat for the fallback */
	const char *lang_name; /* the language asked for (plural rules) */
	unsigned long visits; /* nodes visited, bounded by RENDER_VISITS_MAX */
	unsigned depth;       /* partial nesting */
	bool over;            /* a render budget ran out */
};

/* Segment i of p in object o (found even when its value is null); with the hash
 * computed when linking, unless o's table hashes some other way. */
static bool get_seg(const struct templates *t, struct json_object *o, const struct path *p,
		    size_t i, struct json_object **v)
{
	if (!json_object_is_type(o, json_type_object))
		return false;
	struct lh_table *tb = json_object_get_object(o);
	if (tb->hash_fn != t->key_hash)
		return json_object_object_get_ex(o, p->seg[i], v);
	struct lh_entry *e = lh_table_lookup_entry_w_hash(tb, p->seg[i], p->hash[i]);
	if (e == NULL)
		return false;
	*v = lh_entry_v(e);
	return true;
}

static struct json_object *lookup(const struct render *r, const struct ctx *c,
				  const struct path *p)
{
	if (p->nseg == 0)
		return c ? c->v : NULL;
	struct json_object *v = NULL;
	for (; c != NULL; c = c->up)
		if (get_seg(r->t, c->v, p, 0, &v))
			break;
	if (c == NULL)
		return NULL;
	for (size_t i = 1; i < p->nseg; i++) {
		struct json_object *next = NULL;
		if (!get_seg(r->t, v, p, i, &next))
			return NULL;
		v = next;
	}
	return v;
}

static bool truthy(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0.0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return true;
	default:
		return false;
	}
}

/* v in decimal, written backwards to end at the last byte of num (NUL there);
 * returns where it starts. num has room for any int64_t. */
static const char *put_int(char *num, size_t size, int64_t v)
{
	uint64_t u = v < 0 ? 0ULL - (uint64_t)v : (uint64_t)v;
	char *p = num + size - 1;
	*p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return p;
}

/* Scalars as text; null, objects and arrays give nothing. */
static void render_value(struct render *r, struct json_object *v, bool raw)
{
	char num[64];
	const char *s = num;
	int n;
	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		n = json_object_get_string_len(v);
		break;
	case json_type_int: /* ids and counts, hundreds a page: not through snprintf */
		s = put_int(num, sizeof(num), json_object_get_int64(v));
		n = (int)(num + sizeof(num) - 1 - s);
		break;
	case json_type_double:
		n = snprintf(num, sizeof(num), "%g", json_object_get_double(v));
		break;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		n = (int)strlen(s);
		break;
	default:
		return;
	}
	if (s == NULL || n <= 0 || (s == num && (size_t)n >= sizeof(num)))
		return;
	if (raw)
		buf_append(r->out, s, (size_t)n);
	else
		buf_html_escape(r->out, s, (size_t)n);
}

static void render_list(struct render *r, const struct node *n, const struct ctx *c);

static void render_section(struct render *r, const struct node *n, const struct ctx *c)
{
	struct json_object *v = lookup(r, c, &n->path);
	if (n->kind == N_INVERTED) {
		if (!truthy(v))
			render_list(r, n->child, c);
		return;
	}
	if (json_object_is_type(v, json_type_array)) {
		size_t len = json_object_array_length(v);
		for (size_t i = 0; i < len && !r->over; i++) {
			struct ctx sub = {json_object_array_get_idx(v, i), c};
			render_list(r, n->child, &sub);
		}
	} else if (truthy(v)) {
		struct ctx sub = {v, c};
		render_list(r, n->child, &sub);
	}
}

static void render_partial(struct render *r, const struct node *n, const struct ctx *c)
{
	if (r->depth >= PARTIAL_DEPTH_MAX)
		return;
	r->depth++;
	render_list(r, n->partial->body, c);
	r->depth--;
}

/* "{n}" in an already escaped plural message becomes the count. */
static void put_count(struct buf *out, const char *msg, long long count)
{
	char num[32];
	snprintf(num, sizeof(num), "%lld", count);
	for (const char *p = msg, *at; *p; p = at + 3) {
		at = strstr(p, "{n}");
		if (at == NULL) {
			buf_puts(out, p);
			return;
		}
		buf_append(out, p, (size_t)(at - p));
		buf_puts(out, num);
	}
}

static void render_plural(struct render *r, const struct node *n, const struct ctx *c)
{
	struct json_object *v = lookup(r, c, &n->path);
	long long count = json_object_is_type(v, json_type_string)
		? strtoll(json_object_get_string(v), NULL, 10) : (long long)json_object_get_int64(v);
	put_count(r->out,
		  n->i18n[r->lang * PLURAL_FORMS + (size_t)plural_form(r->lang_name, count)],
		  count);
}

static void render_node(struct render *r, const struct node *n, const struct ctx *c)
{
	switch (n->kind) {
	case N_TEXT:
		buf_append(r->out, n->text, n->len);
		break;
	case N_VAR:
	case N_RAW:
		render_value(r, lookup(r, c, &n->path), n->kind == N_RAW);
		break;
	case N_SECTION:
	case N_INVERTED:
		render_section(r, n, c);
		break;
	case N_PARTIAL:
		render_partial(r, n, c);
		break;
	case N_I18N:
		buf_puts(r->out, n->i18n[r->lang]);
		break;
	case N_PLURAL:
		render_plural(r, n, c);
		break;
	}
}

static void render_list(struct render *r, const struct node *n, const struct ctx *c)
{
	for (; n != NULL && !r->over; n = n->next) {
		if (++r->visits > RENDER_VISITS_MAX || r->out->len - r->start > RENDER_OUTPUT_MAX) {
			r->over = true;
			return;
		}
		render_node(r, n, c);
	}
}

bool template_exists(const struct templates *t, const char *name)
{
	return find_tmpl(t, name) != NULL;
}

int template_render(const struct templates *t, const char *name,
		    struct json_object *model, const char *lang, struct buf *out)
{
	const struct tmpl *tm = find_tmpl(t, name);
	if (tm == NULL || out == NULL)
		return -1;
	struct render r = {t, out, out->len, lang_index(t, lang), lang, 0, 0, false};
	struct ctx top = {model, NULL};
	render_list(&r, tm->body, &top);
	if (!r.over)
		return 0;
	/* A runaway template (exponential partials or sections): no half page. */
	out->len = r.start;
	if (out->data != NULL)
		out->data[out->len] = '\0';
	return -1;
}

int plural_form(const char *lang, long long n)
{
	unsigned long long a = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	if (lang != NULL && strcmp(lang, "ru") == 0) {
		unsigned long long d = a % 10, h = a % 100;
		if (d == 1 && h != 11)
			return PLURAL_ONE;
		if (d >= 2 && d <= 4 && (h < 12 || h > 14))
			return PLURAL_FEW;
		return PLURAL_MANY;
	}
	return a == 1 ? PLURAL_ONE : PLURAL_MANY;
}

const char *i18n_plural(const struct templates *t, const char *lang, const char *key,
			long long n, struct buf *out)
{
	struct buf name = BUF_INIT;
	size_t i = t ? lang_index(t, lang) : 0;
	const char *msg = t ? plural_msg(t, i, key, plural_forms[plural_form(lang, n)], &name)
			    : key;
	size_t start = out->len;
	put_count(out, msg, n);
	buf_free(&name);
	return out->data ? out->data + start : "";
}

const char *i18n_get(const struct templates *t, const char *lang, const char *key)
{
	if (t == NULL || key == NULL)
		return key;
	return lookup_msg(t, lang_index(t, lang), key);
}
