/* h_files.c: files in chats. Uploading (a file message: one or more files
 * and an optional caption, idempotent by client_id, the chat's next seq,
 * published after commit), the Files view of a chat, the file page (the
 * lightbox without JavaScript), and downloads: every original, view and
 * thumbnail request checks membership in its one query, then hands the
 * bytes to nginx (X-Accel-Redirect to the internal /_files/ location, which
 * adds nosniff and a sandboxing CSP). Non-members and visitors get 404. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "crypto.h"
#include "db.h"
#include "filemeta.h"
#include "files.h"
#include "handlers.h"
#include "http.h"
#include "images.h"
#include "log.h"
#include "markdown.h"
#include "model.h"
#include "publish.h"
#include "readstate.h"
#include "template.h"
#include "upload.h"
#include "view.h"

#define CAPTION_MAX_CHARS 4000
#define FILES_PAGE 60
#define ID_MAX 9007199254740991LL

/* ------------------------------------------------------------ uploading */

static void put_json(void *o) { json_object_put(o); }

static bool checkbox(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "on") == 0 || strcmp(v, "true") == 0);
}

/* Commit a finished temp file under its hash. */
static bool commit_tmp(struct req *r, struct store_tmp *t)
{
	return store_commit(r->app->cfg.files_dir, &t->path, t->hex) == 0;
}

/* A commit failed: the disk (or the quota) full is a clear 507, as when
 * the upload itself could not be written; the temp files go with the
 * request's arena. */
static void commit_failed(struct req *r)
{
	if (errno == ENOSPC || errno == EDQUOT)
		view_error(r, 507, "err.storage_full", NULL);
	else
		view_error(r, 500, "err.internal", NULL);
}

/* Commit an image's three blobs together (store_commit_all: one journal
 * commit for the three renames instead of one each). */
static bool commit_image(struct req *r, struct store_tmp *view, struct store_tmp *thumb,
			 struct store_tmp *orig)
{
	char **const paths[] = {&view->path, &thumb->path, &orig->path};
	const char *const hexes[] = {view->hex, thumb->hex, orig->hex};
	return store_commit_all(r->app->cfg.files_dir, paths, hexes, 3) == 0;
}

static void set_dim(struct json_object *o, const char *k, int v)
{
	jset_int(o, k, v);
}

/* An image: previews, and unless sent as a file the re-encoded original.
 * 0, 1 (refused: store as a plain file when as_file), or -1 after answering. */
static int store_image(struct req *r, struct upload_file *f, bool as_file, struct json_object *e)
{
	const char *dir = r->app->cfg.files_dir;
	struct store_tmp *view = store_tmp_new(&r->arena, dir, false);
	struct store_tmp *thumb = store_tmp_new(&r->arena, dir, false);
	struct store_tmp *clean = as_file ? NULL : store_tmp_new(&r->arena, dir, false);
	if (view == NULL || thumb == NULL || (!as_file && clean == NULL)) {
		view_error(r, 500, "err.internal", NULL);
		return -1;
	}
	struct image_job job = {f->tmp->path, f->type, clean ? clean->path : NULL, view->path,
				thumb->path};
	struct image_result res;
	if (images_process(&job, &res) != 0) {
		log_info("image %s refused: %s", log_safe(f->name), log_safe(res.reason));
		return 1;
	}
	/* the files the decoder wrote are hashed here, not trusted from it */
	uint64_t vsize, tsize, csize = f->tmp->size;
	if (store_hash_file(view->path, view->hex, &vsize) != 0 ||
	    store_hash_file(thumb->path, thumb->hex, &tsize) != 0 ||
	    (clean && store_hash_file(clean->path, clean->hex, &csize) != 0) ||
	    !commit_image(r, view, thumb, clean ? clean : f->tmp)) {
		commit_failed(r);
		return -1;
	}
	jset_str(e, "kind", "image");
	jset_str(e, "sha256", clean ? clean->hex : f->tmp->hex);
	jset_int(e, "size", (long long)csize);
	set_dim(e, "width", res.width);
	set_dim(e, "height", res.height);
	jset_str(e, "view_sha256", view->hex);
	set_dim(e, "view_width", res.view_w);
	set_dim(e, "view_height", res.view_h);
	jset_str(e, "thumb_sha256", thumb->hex);
	set_dim(e, "thumb_width", res.thumb_w);
	set_dim(e, "thumb_height", res.thumb_h);
	return 0;
}

/* One uploaded file into the store and its entry for STMT_SEND_FILES.
 * false after answering an error. */
static bool store_file(struct req *r, struct upload_file *f, int pos, bool as_file,
		       struct json_object *entries)
{
	struct json_object *e = json_object_new_object();
	json_object_array_add(entries, e);
	jset_int(e, "position", pos);
	jset_str(e, "name", f->name);
	jset_str(e, "type", f->type);
	jset_bool(e, "as_file", as_file);
	if (filemeta_is_image_type(f->type)) {
		if (!images_ready() && !as_file) {
			view_error(r, 503, "err.images.unavailable", "file");
			return false;
		}
		int rc = images_ready() ? store_image(r, f, as_file, e) : 1;
		if (rc < 0)
			return false;
		if (rc == 0)
			return true;
		if (!as_file) {
			view_error(r, 422, "err.image.refused", "file");
			return false;
		}
	}
	if (!commit_tmp(r, f->tmp)) {
		commit_failed(r);
		return false;
	}
	jset_str(e, "kind", "file");
	jset_str(e, "sha256", f->tmp->hex);
	jset_int(e, "size", (long long)f->tmp->size);
	return true;
}

/* Answer a refused upload: the message names the limit. */
static void upload_error(struct req *r, int status, const char *key, const char *field)
{
	view_error_text(r, status, files_limit_text(r, key ? key : "err.bad_request"), field);
}

static bool member(struct req *r, long long chat, const char **role)
{
	const char *params[] = {files_id_str(r, chat), files_id_str(r, r->me->id)};
	PGresult *res = view_run_one(r, STMT_MEMBER, params, 2, NULL);
	if (res == NULL)
		return false;
	if (role)
		*role = db_text(res, 0, 0);
	return true;
}

/* Caption, client id and as_file from the form; false after answering. */
static bool upload_fields(struct req *r, const char **caption, const char **html,
			  const char **client_id, struct mentions *mentions)
{
	const char *raw = req_field(r, "caption");
	*caption = raw ? normalize_text(r, raw) : "";
	if (**caption) {
		const char *why = valid_message_text(*caption, strlen(*caption), CAPTION_MAX_CHARS);
		if (why) {
			view_error(r, 422, why, "caption");
			return false;
		}
	}
	*client_id = req_field(r, "client_id");
	if (*client_id && **client_id && !valid_client_id(*client_id)) {
		view_error(r, 422, "err.client_id", "client_id");
		return false;
	}
	*html = **caption ? markdown_render_mentions(r->w->md, &r->arena, *caption, strlen(*caption),
						     mentions) : "";
	char *gen = arena_alloc(&r->arena, 33);
	uint8_t rnd[16];
	if (*html == NULL || random_bytes_hex(rnd, gen) != 0) {
		view_error(r, 500, "err.internal", NULL);
		return false;
	}
	if (*client_id == NULL || **client_id == '\0')
		*client_id = gen;
	return true;
}

void h_files_upload(struct req *r)
{
	long long chat = r->ids[0];
	if (!member(r, chat, NULL)) /* before a byte of the body is stored */
		return;
	const char *blocked = blocks_send_refusal(r, chat); /* direct chats */
	if (blocked) {
		view_error(r, 403, blocked, NULL);
		return;
	}
	struct upload u = {.file_field = "file", .max_files = UPLOAD_MAX_FILES};
	int st = upload_read(r, &u);
	if (st) {
		upload_error(r, st, u.err_key, u.err_field);
		return;
	}
	if (u.nfiles == 0) {
		view_error(r, 422, "err.files.none", "file");
		return;
	}
	const char *caption, *html, *client_id;
	struct mentions mentions = {0}; /* resolved in STMT_SEND_FILES */
	if (!upload_fields(r, &caption, &html, &client_id, &mentions))
		return;
	bool as_file = checkbox(req_field(r, "as_file"));
	struct json_object *entries = json_object_new_array();
	arena_defer(&r->arena, put_json, entries);
	for (size_t i = 0; i < u.nfiles; i++)
		if (!store_file(r, &u.files[i], (int)i, as_file, entries))
			return;
	const char *params[] = {files_id_str(r, chat), files_id_str(r, r->me->id), client_id,
				caption, html, json_object_to_json_string_ext(entries,
									      JSON_C_TO_STRING_PLAIN),
				mentions_param(&r->arena, &mentions)};
	PGresult *res = NULL;
	enum db_status dbs = DB_CONFLICT;
	for (int attempt = 0; attempt < 3 && dbs == DB_CONFLICT; attempt++)
		dbs = db_run(r, STMT_SEND_FILES, params, 7, &res);
	if (dbs != DB_OK) {
		view_db_error(r, dbs);
		return;
	}
	if (PQntuples(res) != 1) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	bool created = db_bool(res, 0, 0);
	struct json_object *msg = message_from_sent(res, r->me, chat, db_text(res, 0, 9));
	struct json_object *m = view_object(r);
	jset(m, "message", msg);
	if (created) {
		files_publish_message(r, msg, db_text(res, 0, 8));
		readstate_sent(r, chat, db_int(res, 0, 2), db_text(res, 0, 10));
	}
	if (r->want_json) {
		view_json(r, created ? 201 : 200, m);
		return;
	}
	resp_redirect(r, arena_printf(&r->arena, "/chats/%lld#m-%lld", chat, db_int(res, 0, 1)));
}

/* ------------------------------------------------------------ downloads */

/* The file row if the viewer may see it; NULL after answering 404. */
static PGresult *file_row(struct req *r)
{
	if (r->me == NULL) { /* a visitor: the file does not exist for them */
		view_error(r, 404, "err.not_found", NULL);
		return NULL;
	}
	const char *params[] = {files_id_str(r, r->me->id), files_id_str(r, r->ids[0])};
	PGresult *res = view_run_one(r, STMT_FILE_GET, params, 2, NULL);
	if (res == NULL)
		return NULL;
	return res;
}

/* FILE_COLS: 3 kind, 4 name, 5 type, 7 sha256, 10 view_sha256, 13 thumb_sha256 */
static bool is_image_row(PGresult *res) { return strcmp(db_text(res, 0, 3), "image") == 0; }

void h_file_original(struct req *r)
{
	PGresult *res = file_row(r);
	if (res == NULL)
		return;
	bool image = is_image_row(res);
	const char *type = db_text(res, 0, 5);
	files_send_blob(r, db_text(res, 0, 7), image ? type : filemeta_served_type(type),
			filemeta_disposition(&r->arena, db_text(res, 0, 4), image));
}

static void send_preview(struct req *r, int col)
{
	PGresult *res = file_row(r);
	if (res == NULL)
		return;
	if (!is_image_row(res) || PQgetisnull(res, 0, col)) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	files_send_blob(r, db_text(res, 0, col), images_derived_type(db_text(res, 0, 5)),
			filemeta_disposition(&r->arena, db_text(res, 0, 4), true));
}

void h_file_thumb(struct req *r) { send_preview(r, 13); }

void h_file_view(struct req *r) { send_preview(r, 10); }

/* GET /files/ID: the file entry (JSON), or its page: the large view with
 * a link to the original (the lightbox without JavaScript). */
void h_file_page(struct req *r)
{
	PGresult *res = file_row(r);
	if (res == NULL)
		return;
	struct json_object *f = file_from_row(res, 0, 0);
	struct json_object *m = view_object(r);
	jset(m, "file", f);
	if (!r->want_json) {
		file_decorate(f);
		if (!PQgetisnull(res, 0, 11)) {
			jset_int(f, "view_width", db_int(res, 0, 11));
			jset_int(f, "view_height", db_int(res, 0, 12));
		}
	}
	view_render(r, 200, "file", "title.file", m);
}

/* ------------------------------------------------------------ the Files view */

static bool list_args(struct req *r, long long *before, const char **type)
{
	const char *b = req_arg(r, "before");
	int64_t v = ID_MAX;
	if (b && *b && !parse_int_range(b, 1, ID_MAX, &v)) {
		view_error(r, 400, "err.bad_request", "before");
		return false;
	}
	*before = v;
	*type = req_arg(r, "type");
	if (*type == NULL)
		*type = "";
	if (**type && strcmp(*type, "image") != 0 && strcmp(*type, "file") != 0) {
		view_error(r, 400, "err.bad_request", "type");
		return false;
	}
	return true;
}

/* The chat (for the page's head); NULL after answering. */
static struct json_object *chat_head(struct req *r, long long chat)
{
	const char *params[] = {files_id_str(r, r->me->id), files_id_str(r, chat)};
	PGresult *res = view_run_one(r, STMT_CHAT_GET, params, 2, NULL);
	if (res == NULL)
		return NULL;
	return chat_from_row(res, 0);
}

static void files_page(struct req *r, long long chat, struct json_object *m, PGresult *res,
		       const char *type)
{
	struct json_object *c = chat_head(r, chat);
	if (c == NULL)
		return;
	jset(m, "chat", c);
	struct json_object *photos = json_object_new_array(), *docs = json_object_new_array(), *all;
	json_object_object_get_ex(m, "files", &all);
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		struct json_object *f = json_object_array_get_idx(all, i), *k;
		file_decorate(f);
		json_object_object_get_ex(f, "kind", &k);
		json_object_array_add(strcmp(json_object_get_string(k), "image") == 0 ? photos : docs,
				      json_object_get(f));
	}
	jset_bool(m, "has_photos", json_object_array_length(photos) > 0);
	jset_bool(m, "has_docs", json_object_array_length(docs) > 0);
	jset(m, "photos", photos);
	jset(m, "docs", docs);
	jset_bool(m, "type_all", *type == '\0');
	jset_bool(m, "type_image", strcmp(type, "image") == 0);
	jset_bool(m, "type_file", strcmp(type, "file") == 0);
	jset_str(m, "type", type);
	jset_bool(m, "can_set_picture", strcmp(db_text(res, 0, 0), "owner") == 0 &&
						strcmp(db_text(res, 0, 1), "group") == 0);
	jset_str(m, "error", req_arg(r, "error") ? i18n_get(r->app->tpl, r->lang, "err.image.refused")
						 : NULL);
	view_render(r, 200, "chat_files", "title.files", m);
}

void h_files_list(struct req *r)
{
	long long chat = r->ids[0], before;
	const char *type;
	if (!list_args(r, &before, &type))
		return;
	const char *params[] = {files_id_str(r, r->me->id), files_id_str(r, chat),
				files_id_str(r, before), type, files_id_str(r, FILES_PAGE + 1)};
	PGresult *res;
	if (!view_run(r, STMT_FILES_LIST, params, 5, &res))
		return;
	if (PQntuples(res) == 0) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	struct json_object *m = view_object(r), *files = json_object_new_array();
	jset(m, "files", files);
	int n = PQntuples(res);
	bool more = n > FILES_PAGE;
	long long last = 0;
	for (int i = 0; i < n && i < FILES_PAGE; i++) {
		struct json_object *f = file_from_row(res, i, 2);
		if (f == NULL)
			continue;
		last = db_int(res, i, 2);
		json_object_array_add(files, f);
	}
	jset_bool(m, "has_more", more);
	if (more)
		jset_int(m, "next_before", last);
	else
		jset(m, "next_before", NULL);
	if (r->want_json)
		view_json(r, 200, m);
	else
		files_page(r, chat, m, res, type);
}
