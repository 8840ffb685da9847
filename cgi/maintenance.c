/* maintenance.c: `messly maintenance` -- removes what has expired. Runs
 * outside any request, so it builds a worker and a request of its own to go
 * through the statement table like every other query. */
#include "maintenance.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "store.h"

static int purge_sessions(struct req *r)
{
	PGresult *res;
	if (db_run(r, STMT_SESSIONS_PURGE, NULL, 0, &res) != DB_OK)
		return -1;
	log_info("maintenance: deleted %s expired session(s)", PQcmdTuples(res));
	return 0;
}

/* ---- orphan files: blobs (DIR/ab/<64 hex>) older than a day that no
 * files or avatars row refers to are removed, in batches of ORPHAN_BATCH
 * hashes per query. */
#define ORPHAN_BATCH 500
#define ORPHAN_GRACE (24 * 3600)

struct batch {
	char hex[ORPHAN_BATCH][65];
	size_t n;
	long removed;
};

static int flush_batch(struct req *r, const char *dir, struct batch *b)
{
	if (b->n == 0)
		return 0;
	struct buf arr = BUF_INIT;
	buf_putc(&arr, '{');
	for (size_t i = 0; i < b->n; i++) {
		if (i)
			buf_putc(&arr, ',');
		buf_puts(&arr, b->hex[i]); /* hex digits only: no quoting needed */
	}
	buf_putc(&arr, '}');
	const char *params[] = {arr.data};
	PGresult *res;
	enum db_status st = db_run(r, STMT_BLOBS_UNUSED, params, 1, &res);
	buf_free(&arr);
	b->n = 0;
	if (st != DB_OK)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *h = db_text(res, i, 0);
		char *path = arena_printf(&r->arena, "%s/%.2s/%s", dir, h, h);
		if (unlink(path) == 0)
			b->removed++;
		else if (errno != ENOENT)
			log_error("maintenance: cannot remove %s: %s", path, strerror(errno));
	}
	return 0;
}

/* Every blob of one DIR/ab/ directory that is past the grace period. */
static int scan_dir(struct req *r, const char *dir, const char *sub, struct batch *b)
{
	char *path = arena_printf(&r->arena, "%s/%s", dir, sub);
	DIR *d = opendir(path);
	if (d == NULL)
		return 0;
	struct dirent *e;
	time_t now = time(NULL);
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		if (!store_hex_ok(e->d_name) || strncmp(e->d_name, sub, 2) != 0)
			continue;
		char *file = arena_printf(&r->arena, "%s/%s", path, e->d_name);
		if (stat(file, &st) != 0 || !S_ISREG(st.st_mode) || now - st.st_mtime < ORPHAN_GRACE)
			continue;
		memcpy(b->hex[b->n++], e->d_name, 65);
		if (b->n == ORPHAN_BATCH)
			rc = flush_batch(r, dir, b);
	}
	closedir(d);
	return rc;
}

static int purge_orphans(struct req *r)
{
	const char *dir = r->app->cfg.files_dir;
	PGresult *res;
	if (db_run(r, STMT_AVATARS_PURGE, NULL, 0, &res) != DB_OK)
		return -1;
	log_info("maintenance: deleted %s unused avatar row(s)", PQcmdTuples(res));
	struct batch *b = arena_alloc(&r->arena, sizeof(*b));
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 256; i++) {
		char sub[3] = {hex[i >> 4], hex[i & 15], '\0'};
		if (scan_dir(r, dir, sub, b) != 0)
			return -1;
	}
	if (flush_batch(r, dir, b) != 0)
		return -1;
	log_info("maintenance: removed %ld unused file(s)", b->removed);
	return 0;
}

int maintenance_run(const struct app *app)
{
	struct worker w = {.app = app, .db = db_new(app->cfg.db)};
	if (w.db == NULL) {
		log_error("maintenance: out of memory");
		return 1;
	}
	struct req r = {.w = &w, .app = app};
	arena_init(&r.arena);
	int rc = purge_sessions(&r);
	if (rc == 0)
		rc = purge_orphans(&r);
	arena_free(&r.arena);
	db_free(w.db);
	return rc == 0 ? 0 : 1;
}
