/* h_export.c: "download my data" (GET /api/me/export, /settings/export): a
 * ZIP (store-only, zip.c) holding JSON of the profile, the chats and every
 * message of those chats the user can see:
 *   profile.json          {exported_at, user: me, sessions, blocked}
 *   chats.json            {chats: [{id, kind, title, peer, role, ...}]}
 *   messages/CHAT.json    {chat, messages: [...]} oldest first
 *   files.json            {files: [{id, chat, seq, name, type, size,
 *                          created_at, path}]} the files the user uploaded
 *   files/ID-NAME         their bytes (path null once the archive's files
 *                          reach EXPORT_FILES_MAX bytes, or a blob is gone) */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "model.h"
#include "settings.h"
#include "store.h"
#include "view.h"
#include "zip.h"

#define EXPORT_PAGE 2000
/* The archive is built in memory: the bytes of files it carries are capped. */
#define EXPORT_FILES_MAX (256u << 20)

static int add_json(struct zip *z, const char *name, struct json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE,
		&len);
	return zip_add(z, name, s, len);
}

static struct json_object *peer_json(const PGresult *res, int i, int col)
{
	if (PQgetisnull(res, i, col))
		return NULL;
	return user_public_json(db_int(res, i, col), db_text(res, i, col + 1),
				db_text(res, i, col + 2));
}

static struct json_object *export_message(const PGresult *res, int i)
{
	struct json_object *m = json_object_new_object();
	jset_int(m, "id", db_int(res, i, 0));
	jset_int(m, "seq", db_int(res, i, 1));
	jset(m, "sender", peer_json(res, i, 8));
	jset_str(m, "kind", db_text(res, i, 2));
	jset_str(m, "text", db_text(res, i, 3));
	jset_str(m, "created_at", db_text(res, i, 4));
	jset_str(m, "edited_at", db_text(res, i, 5));
	jset_bool(m, "deleted", db_bool(res, i, 6));
	if (PQgetisnull(res, i, 7))
		jset(m, "reply_to", NULL);
	else
		jset_int(m, "reply_to", db_int(res, i, 7));
	return m;
}

/* One chat's messages into messages/ID.json. 0, or -1 after answering. */
static int export_chat_messages(struct req *r, struct zip *z, long long chat)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *list = json_object_new_array();
	jset_int(doc, "chat", chat);
	jset(doc, "messages", list);
	long long after = 0;
	int rc = 0;
	for (;;) {
		const char *params[] = {id_text(r, r->me->id), id_text(r, chat), id_text(r, after),
					id_text(r, EXPORT_PAGE)};
		PGresult *res;
		enum db_status st = db_run(r, STMT_EXPORT_MESSAGES, params, 4, &res);
		if (st != DB_OK) {
			view_db_error(r, st);
			rc = -1;
			break;
		}
		int n = PQntuples(res);
		for (int i = 0; i < n; i++)
			json_object_array_add(list, export_message(res, i));
		if (n < EXPORT_PAGE)
			break;
		after = db_int(res, n - 1, 1);
	}
	if (rc == 0 && add_json(z, arena_printf(&r->arena, "messages/%lld.json", chat), doc) != 0) {
		view_error(r, 413, "err.export.too_large", NULL);
		rc = -1;
	}
	json_object_put(doc);
	return rc;
}

/* chats.json and every chat's messages. 0, or -1 after answering. */
static int export_chats(struct req *r, struct zip *z)
{
	const char *params[] = {id_text(r, r->me->id)};
	PGresult *res;
	if (!view_run(r, STMT_EXPORT_CHATS, params, 1, &res))
		return -1;
	struct json_object *doc = json_object_new_object();
	struct json_object *list = json_object_new_array();
	jset(doc, "chats", list);
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *c = json_object_new_object();
		jset_int(c, "id", db_int(res, i, 0));
		jset_str(c, "kind", db_text(res, i, 1));
		jset_str(c, "title", db_text(res, i, 2));
		jset(c, "peer", peer_json(res, i, 8));
		jset_str(c, "role", db_text(res, i, 3));
		jset_str(c, "joined_at", db_text(res, i, 4));
		jset_str(c, "created_at", db_text(res, i, 5));
		jset_int(c, "last_seq", db_int(res, i, 6));
		jset_int(c, "last_read_seq", db_int(res, i, 7));
		jset_str(c, "messages", arena_printf(&r->arena, "messages/%lld.json", db_int(res, i, 0)));
		json_object_array_add(list, c);
	}
	int rc = add_json(z, "chats.json", doc) == 0 ? 0 : -1;
	json_object_put(doc);
	if (rc != 0) {
		view_error(r, 413, "err.export.too_large", NULL);
		return -1;
	}
	for (int i = 0; i < PQntuples(res); i++)
		if (export_chat_messages(r, z, db_int(res, i, 0)) != 0)
			return -1;
	return 0;
}

/* profile.json. 0, or -1 after answering. */
static int export_profile(struct req *r, struct zip *z, const char *stamp)
{
	struct json_object *sessions = sessions_load(r);
	if (sessions == NULL)
		return -1;
	struct json_object *blocked = blocks_load(r);
	if (blocked == NULL) {
		json_object_put(sessions);
		return -1;
	}
	struct json_object *doc = json_object_new_object();
	jset_str(doc, "exported_at", stamp);
	jset(doc, "user", user_me_json(r->me));
	jset(doc, "sessions", sessions);
	jset(doc, "blocked", blocked);
	int rc = add_json(z, "profile.json", doc);
	json_object_put(doc);
	if (rc != 0)
		view_error(r, 413, "err.export.too_large", NULL);
	return rc;
}

/* A zip entry name for a stored file: "files/ID-NAME", the name without
 * path separators, control characters or a leading dot. */
static const char *file_entry_name(struct req *r, long long id, const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n > 200)
		n = 200;
	char *clean = arena_alloc(&r->arena, n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		clean[i] = (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':') ? '_' : (char)c;
	}
	clean[n] = '\0';
	if (clean[0] == '.')
		clean[0] = '_';
	return arena_printf(&r->arena, "files/%lld-%s", id, n ? clean : "file");
}

/* The bytes of a blob into the archive; false when it cannot be read. */
static bool add_blob(struct req *r, struct zip *z, const char *entry, const char *hex,
		     size_t size)
{
	const char *rel = store_rel(&r->arena, hex);
	if (rel == NULL)
		return false;
	int fd = open(arena_printf(&r->arena, "%s/%s", r->app->cfg.files_dir, rel),
		      O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool ok = fstat(fd, &st) == 0 && (size_t)st.st_size == size;
	char *data = ok ? malloc(size + 1) : NULL; /* freed at once: not the arena */
	ok = ok && data != NULL;
	size_t got = 0;
	while (ok && got < size) {
		ssize_t k = read(fd, data + got, size - got);
		if (k <= 0)
			ok = false;
		else
			got += (size_t)k;
	}
	close(fd);
	ok = ok && zip_add(z, entry, data, size) == 0;
	free(data);
	return ok;
}

/* files.json and the files the user uploaded. 0, or -1 after answering. */
static int export_files(struct req *r, struct zip *z)
{
	const char *params[] = {id_text(r, r->me->id)};
	PGresult *res;
	if (!view_run(r, STMT_EXPORT_FILES, params, 1, &res))
		return -1;
	struct json_object *doc = json_object_new_object();
	struct json_object *list = json_object_new_array();
	jset(doc, "files", list);
	size_t total = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		long long id = db_int(res, i, 0), size = db_int(res, i, 5);
		struct json_object *f = json_object_new_object();
		jset_int(f, "id", id);
		jset_int(f, "chat", db_int(res, i, 1));
		jset_int(f, "seq", db_int(res, i, 2));
		jset_str(f, "name", db_text(res, i, 3));
		jset_str(f, "type", db_text(res, i, 4));
		jset_int(f, "size", size);
		jset_str(f, "created_at", db_text(res, i, 7));
		const char *entry = file_entry_name(r, id, db_text(res, i, 3));
		bool fits = size >= 0 && (size_t)size <= EXPORT_FILES_MAX - total;
		bool added = fits && add_blob(r, z, entry, db_text(res, i, 6), (size_t)size);
		if (added)
			total += (size_t)size;
		else if (fits)
			log_error("export: the blob of file %lld could not be read", id);
		jset_str(f, "path", added ? entry : NULL);
		json_object_array_add(list, f);
	}
	int rc = add_json(z, "files.json", doc);
	json_object_put(doc);
	if (rc != 0)
		view_error(r, 413, "err.export.too_large", NULL);
	return rc;
}

void h_export(struct req *r)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32] = "", day[16] = "";
	if (gmtime_r(&now, &tm)) {
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	}
	struct buf *out = arena_alloc(&r->arena, sizeof(*out));
	arena_defer(&r->arena, buf_free_cb, out);
	struct zip z;
	zip_init(&z, out, now);
	if (export_profile(r, &z, stamp) != 0 || export_chats(r, &z) != 0 ||
	    export_files(r, &z) != 0) {
		zip_finish(&z);
		return;
	}
	if (zip_finish(&z) != 0) {
		view_error(r, 413, "err.export.too_large", NULL);
		return;
	}
	r->status = 200;
	resp_header(r, "Content-Type", "application/zip");
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "Content-Disposition",
		    arena_printf(&r->arena, "attachment; filename=\"messly-%s-%s.zip\"",
				 r->me->nickname, day));
	buf_free(&r->body); /* hand the archive over without a copy */
	r->body = *out;
	buf_init(out);
}
