/* upload.c: the streaming multipart body reader (see upload.h). */
#include "upload.h"

#include <errno.h>

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "filemeta.h"
#include "http.h"
#include "log.h"
#include "multipart.h"

#define CHUNK 65536

struct reader {
	struct req *r;
	struct upload *u;
	bool csrf_ok;
	/* the part being read */
	enum { PART_SKIP, PART_FIELD, PART_FILE } kind;
	const char *field_name;
	struct buf value;
	struct upload_file *file;
	const char *sent_name;
	int status;
};

static int fail(struct reader *rd, int status, const char *key, const char *field)
{
	rd->status = status;
	rd->u->err_key = key;
	rd->u->err_field = field;
	return -1;
}

/* The disk (or the quota) is full: a clear 507, and the temp file goes
 * with the request's arena, so nothing is left behind. */
static int store_failed(struct reader *rd)
{
	int e = rd->file->tmp->err;
	if (e == ENOSPC || e == EDQUOT)
		return fail(rd, 507, "err.storage_full", NULL);
	return fail(rd, 500, "err.internal", NULL);
}

static int begin_file(struct reader *rd, const struct mp_part *p)
{
	struct upload *u = rd->u;
	if (!rd->csrf_ok && !(rd->csrf_ok = auth_csrf_ok(rd->r)))
		return fail(rd, 403, "err.csrf", NULL);
	if (strcmp(p->name, u->file_field) != 0)
		return fail(rd, 422, "err.files.field", p->name);
	if (p->filename[0] == '\0') {
		rd->kind = PART_SKIP; /* "no file chosen": an empty part */
		return 0;
	}
	if (u->nfiles >= u->max_files)
		return fail(rd, 422, "err.files.too_many", u->file_field);
	struct store_tmp *t = store_tmp_new(&rd->r->arena, rd->r->app->cfg.files_dir, true);
	if (t == NULL)
		return fail(rd, 500, "err.internal", NULL);
	rd->file = &u->files[u->nfiles++];
	rd->file->tmp = t;
	rd->sent_name = p->filename;
	rd->kind = PART_FILE;
	return 0;
}

static int on_begin(void *ctx, const struct mp_part *p)
{
	struct reader *rd = ctx;
	if (p->filename)
		return begin_file(rd, p);
	if (rd->r->form.n >= UPLOAD_MAX_FIELDS)
		return fail(rd, 400, "err.bad_request", NULL);
	rd->kind = PART_FIELD;
	rd->field_name = p->name;
	buf_reset(&rd->value);
	return 0;
}

static int on_data(void *ctx, const char *data, size_t len)
{
	struct reader *rd = ctx;
	if (rd->kind == PART_FILE)
		return store_tmp_write(rd->file->tmp, data, len) == 0 ? 0 : store_failed(rd);
	if (rd->kind == PART_FIELD) {
		if (rd->value.len + len > UPLOAD_FIELD_MAX)
			return fail(rd, 413, "err.too_large", rd->field_name);
		buf_append(&rd->value, data, len);
	}
	return 0;
}

static int end_field(struct reader *rd)
{
	const char *v = rd->value.data ? rd->value.data : "";
	size_t n = rd->value.len;
	if (!utf8_valid(rd->field_name, strlen(rd->field_name)) || !utf8_valid(v, n))
		return fail(rd, 400, "err.bad_request", rd->field_name);
	struct input_pair *p = &rd->r->form.pairs[rd->r->form.n++];
	p->name = rd->field_name;
	p->value = arena_strndup(&rd->r->arena, v, n);
	p->len = n;
	p->kind = IK_STRING;
	return 0;
}

static int on_end(void *ctx)
{
	struct reader *rd = ctx;
	int rc = 0;
	if (rd->kind == PART_FIELD) {
		rc = end_field(rd);
	} else if (rd->kind == PART_FILE) {
		struct upload_file *f = rd->file;
		if (store_tmp_finish(f->tmp) != 0)
			return store_failed(rd);
		f->type = filemeta_sniff(f->tmp->head, f->tmp->head_len);
		f->name = filemeta_sanitize_name(&rd->r->arena, rd->sent_name);
	}
	rd->kind = PART_SKIP;
	return rc;
}

static void value_free(void *b) { buf_free(b); }

/* The declared length: -1 when absent, -2 when malformed. */
static long long declared_length(struct req *r)
{
	const char *cl = req_param(r, "CONTENT_LENGTH");
	if (cl == NULL || *cl == '\0')
		return -1;
	char *end;
	unsigned long long v = strtoull(cl, &end, 10);
	return *end || cl[0] == '-' || v > (1ULL << 62) ? -2 : (long long)v;
}

/* The configured cap, lowered by the admin panel's max_upload when set
 * (nginx enforces the configured one; the panel cannot raise it). */
static size_t upload_cap(struct req *r)
{
	size_t cap = r->app->cfg.max_upload;
	PGresult *res;
	enum db_status st = db_run(r, STMT_UPLOAD_CAP, NULL, 0, &res);
	if (st != DB_OK) {
		log_error("upload: the panel's size cap is unknown; the configured one holds");
		return cap;
	}
	if (PQntuples(res) == 1 && db_int(res, 0, 0) > 0 && (unsigned long long)db_int(res, 0, 0) < cap)
		cap = (size_t)db_int(res, 0, 0);
	return cap;
}

int upload_read(struct req *r, struct upload *u)
{
	size_t cap = upload_cap(r);
	/* in the arena: the field buffer's cleanup runs at the request's end */
	struct reader *prd = arena_alloc(&r->arena, sizeof(*prd));
	prd->r = r;
	prd->u = u;
	prd->kind = PART_SKIP;
	buf_init(&prd->value);
	arena_defer(&r->arena, value_free, &prd->value);
	r->form.pairs = arena_calloc(&r->arena, UPLOAD_MAX_FIELDS, sizeof(struct input_pair));
	r->form.n = 0;
	long long declared = declared_length(r);
	if (declared == -2)
		return fail(prd, 400, "err.bad_request", NULL), prd->status;
	if (declared > (long long)cap)
		return fail(prd, 413, "err.files.too_large", u->file_field), prd->status;
	prd->csrf_ok = auth_csrf_ok(r); /* a header token or a bearer token */
	struct multipart mp;
	struct mp_handler h = {on_begin, on_data, on_end, prd};
	if (mp_init(&mp, &r->arena, r->content_type, &h) != MP_OK)
		return fail(prd, 415, "err.files.multipart", NULL), prd->status;
	char *chunk = arena_alloc(&r->arena, CHUNK);
	size_t total = 0;
	enum mp_err e = MP_OK;
	for (;;) {
		int n = FCGX_GetStr(chunk, CHUNK, r->fcgi->in);
		if (n <= 0)
			break;
		total += (size_t)n;
		if (total > cap)
			return fail(prd, 413, "err.files.too_large", u->file_field), prd->status;
		if ((e = mp_feed(&mp, chunk, (size_t)n)) != MP_OK)
			break;
	}
	if (prd->status)
		return prd->status;
	if (e == MP_OK)
		e = mp_finish(&mp);
	if (e == MP_ETOOBIG)
		return fail(prd, 413, "err.too_large", NULL), prd->status;
	if (e != MP_OK || (declared >= 0 && total != (size_t)declared))
		return fail(prd, 400, "err.bad_request", NULL), prd->status;
	if (!prd->csrf_ok && !auth_csrf_ok(r)) /* a form without files */
		return fail(prd, 403, "err.csrf", NULL), prd->status;
	r->has_body = total > 0;
	return 0;
}
