/* maintenance.c: `messly maintenance` -- removes what has expired. Runs
 * outside any request, so it builds a worker and a request of its own to go
 * through the statement table like every other query. */
#include "maintenance.h"

#include <stdlib.h>

#include "db.h"
#include "log.h"

static int purge_sessions(struct req *r)
{
	PGresult *res;
	if (db_run(r, STMT_SESSIONS_PURGE, NULL, 0, &res) != DB_OK)
		return -1;
	log_info("maintenance: deleted %s expired session(s)", PQcmdTuples(res));
	return 0;
}

/* ---- HOOK(files): orphan files --------------------------------------------
 * The files feature adds its clean-up here (files no message refers to any
 * more, older than a grace period): one statement in db.c's table, then the
 * unlink of each file under cfg->files_dir; call it from maintenance_run(). */

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
	arena_free(&r.arena);
	db_free(w.db);
	return rc == 0 ? 0 : 1;
}
