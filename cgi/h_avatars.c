/* h_avatars.c: user avatars and group pictures. An upload is cropped to a
 * centred square and stored in three sizes (48, 96, 256 px, JPEG, no
 * metadata) as blobs; a new avatars row gets a new id, so avatar URLs never
 * change content and old ones stop answering (404). Changes are published
 * live ({type: "avatar", key: "u5"|"c7", avatar}) to everyone who shares a
 * chat with the user, or to the group's members. Who may fetch an avatar:
 * any logged-in user for user avatars, members for a group's picture. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "files.h"
#include "filemeta.h"
#include "handlers.h"
#include "http.h"
#include "images.h"
#include "log.h"
#include "model.h"
#include "service.h"
#include "template.h"
#include "upload.h"
#include "view.h"

/* Where a form post goes back to, or a JSON error. */
static void avatar_refused(struct req *r, int status, const char *key, const char *back)
{
	if (r->want_json || back == NULL) {
		view_error_text(r, status, files_limit_text(r, key), "avatar");
		return;
	}
	resp_redirect(r, arena_printf(&r->arena, "%s?error=%s", back,
				      status == 413 ? "too_large" : "refused"));
}

/* Read the upload and make the three sizes; fills hex[]. false after
 * answering. */
static bool avatar_upload(struct req *r, char hex[AVATAR_SIZES][65], const char *back)
{
	struct upload u = {.file_field = "avatar", .max_files = 1};
	int st = upload_read(r, &u);
	if (st) {
		avatar_refused(r, st, u.err_key ? u.err_key : "err.bad_request", back);
		return false;
	}
	if (u.nfiles != 1) {
		avatar_refused(r, 422, "err.avatar.none", back);
		return false;
	}
	struct upload_file *f = &u.files[0];
	if (!filemeta_is_image_type(f->type)) {
		avatar_refused(r, 422, "err.avatar.type", back);
		return false;
	}
	struct store_tmp *out[AVATAR_SIZES];
	const char *paths[AVATAR_SIZES];
	for (int i = 0; i < AVATAR_SIZES; i++) {
		out[i] = store_tmp_new(&r->arena, r->app->cfg.files_dir, false);
		if (out[i] == NULL) {
			view_error(r, 500, "err.internal", NULL);
			return false;
		}
		paths[i] = out[i]->path;
	}
	char reason[96];
	if (images_avatar(f->tmp->path, f->type, paths, reason) != 0) {
		log_info("avatar refused: %s", log_safe(reason));
		avatar_refused(r, images_ready() ? 422 : 503,
			       images_ready() ? "err.image.refused" : "err.images.unavailable", back);
		return false;
	}
	for (int i = 0; i < AVATAR_SIZES; i++) {
		uint64_t size;
		if (store_hash_file(out[i]->path, hex[i], &size) != 0 ||
		    store_commit(r->app->cfg.files_dir, &out[i]->path, hex[i]) != 0) {
			view_error(r, 500, "err.internal", NULL);
			return false;
		}
	}
	return true;
}

static void publish_avatar(struct req *r, const char *key, long long id, const char *list)
{
	struct json_object *ev = json_object_new_object();
	jset_str(ev, "type", "avatar");
	jset_str(ev, "key", key);
	jset(ev, "avatar", avatar_json(id));
	files_publish(r, list, ev);
	json_object_put(ev);
}

static void avatar_done(struct req *r, long long id, const char *back)
{
	if (!r->want_json) {
		resp_redirect(r, back);
		return;
	}
	struct json_object *m = view_object(r);
	jset(m, "avatar", avatar_json(id));
	view_json(r, 200, m);
}

void h_avatar_put(struct req *r)
{
	char hex[AVATAR_SIZES][65];
	if (!avatar_upload(r, hex, "/settings/avatar"))
		return;
	const char *params[] = {files_id_str(r, r->me->id), hex[0], hex[1], hex[2]};
	PGresult *res;
	enum db_status st = db_run(r, STMT_AVATAR_SET_USER, params, 4, &res);
	if (st != DB_OK || PQntuples(res) != 1) {
		view_db_error(r, st == DB_OK ? DB_ERROR : st);
		return;
	}
	long long id = db_int(res, 0, 0);
	const char *key = arena_printf(&r->arena, "u%lld", (long long)r->me->id);
	const char *list = db_text(res, 0, 1);
	publish_avatar(r, key, id, list ? list : files_id_str(r, r->me->id));
	avatar_done(r, id, "/settings/avatar");
}

void h_avatar_delete(struct req *r)
{
	const char *params[] = {files_id_str(r, r->me->id)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_AVATAR_CLEAR_USER, params, 1, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	const char *list = PQntuples(res) == 1 ? db_text(res, 0, 1) : NULL;
	publish_avatar(r, arena_printf(&r->arena, "u%lld", (long long)r->me->id), 0,
		       list ? list : files_id_str(r, r->me->id));
	view_done(r, "/settings/avatar");
}

void h_avatar_page(struct req *r)
{
	struct json_object *m = view_object(r);
	const char *e = req_arg(r, "error");
	if (e)
		jset_str(m, "error", i18n_get(r->app->tpl, r->lang,
					      strcmp(e, "too_large") == 0 ? "err.avatar.too_large"
									  : "err.image.refused"));
	jset_int(m, "max_mb", (long long)(r->app->cfg.max_upload >> 20));
	view_render(r, 200, "settings_avatar", "title.avatar", m);
}

void h_chat_avatar_put(struct req *r)
{
	long long chat = r->ids[0];
	const char *params0[] = {files_id_str(r, chat), files_id_str(r, r->me->id)};
	PGresult *res = view_run_one(r, STMT_MEMBER, params0, 2, NULL);
	if (res == NULL)
		return;
	if (strcmp(db_text(res, 0, 0), "owner") != 0) { /* before reading the body */
		view_error(r, 403, "err.avatar.owner", NULL);
		return;
	}
	const char *back = arena_printf(&r->arena, "/chats/%lld/files", chat);
	char hex[AVATAR_SIZES][65];
	if (!avatar_upload(r, hex, back))
		return;
	const char *params[] = {files_id_str(r, r->me->id), files_id_str(r, chat), hex[0], hex[1],
				hex[2]};
	if (!view_run(r, STMT_AVATAR_SET_CHAT, params, 5, &res))
		return;
	if (!db_bool(res, 0, 0)) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	if (PQgetisnull(res, 0, 2)) { /* not the owner, or not a group */
		view_error(r, 403, "err.avatar.owner", NULL);
		return;
	}
	long long id = db_int(res, 0, 1);
	publish_avatar(r, arena_printf(&r->arena, "c%lld", chat), id, db_text(res, 0, 3));
	struct json_object *msg = message_from_row(res, 0, 5, chat); /* "picture changed" */
	if (msg) {
		publish_chat_message(r, msg, db_text(res, 0, 17));
		json_object_put(msg);
	}
	avatar_done(r, id, back);
}

/* GET /avatars/ID/SIZE */
void h_avatar_get(struct req *r)
{
	int slot = r->ids[1] == 48 ? 0 : r->ids[1] == 96 ? 1 : r->ids[1] == 256 ? 2 : -1;
	if (r->me == NULL || slot < 0) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	const char *params[] = {files_id_str(r, r->me->id), files_id_str(r, r->ids[0])};
	PGresult *res = view_run_one(r, STMT_AVATAR_GET, params, 2, NULL);
	if (res == NULL)
		return;
	files_send_blob(r, db_text(res, 0, slot), "image/jpeg",
			arena_printf(&r->arena, "inline; filename=\"avatar-%lld.jpg\"",
				     (long long)r->ids[1]));
}
