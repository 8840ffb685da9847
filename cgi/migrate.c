/* migrate.c: the schema migrator (see migrate.h). Migration files are the
 * project's own fixed SQL, so they run through PQexec as one script each. */
#include "migrate.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

#define MAX_MIGRATIONS 1000

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration(const char *name)
{
	size_t n = strlen(name);
	return n > 8 && name[0] >= '0' && name[0] <= '9' && strcmp(name + n - 4, ".sql") == 0;
}

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	int err = ferror(f);
	fclose(f);
	return err ? -1 : 0;
}

static bool ok(PGconn *c, PGresult *res, const char *what)
{
	ExecStatusType st = PQresultStatus(res);
	bool good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!good)
		log_error("%s: %s", what, PQerrorMessage(c));
	PQclear(res);
	return good;
}

static bool applied(PGconn *c, const char *version)
{
	const char *params[] = {version};
	PGresult *res = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1,
				     NULL, params, NULL, NULL, 0);
	bool yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	PQclear(res);
	return yes;
}

static int apply(PGconn *c, const char *dir, const char *name)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -1;
	struct buf sql = BUF_INIT;
	int rc = read_file(path, &sql);
	if (rc != 0)
		log_error("cannot read %s", path);
	free(path);
	if (rc != 0) {
		buf_free(&sql);
		return -1;
	}
	const char *params[] = {name};
	bool good = ok(c, PQexec(c, "BEGIN"), "begin") && /* -- static */
		    ok(c, PQexec(c, sql.data), name) &&    /* -- static: a migration file */
		    ok(c, PQexecParams(c, "INSERT INTO schema_migrations (version) VALUES ($1)", 1,
				       NULL, params, NULL, NULL, 0), "record") &&
		    ok(c, PQexec(c, "COMMIT"), "commit"); /* -- static */
	buf_free(&sql);
	if (!good) {
		PQclear(PQexec(c, "ROLLBACK")); /* -- static */
		return -1;
	}
	log_info("applied %s", name);
	return 0;
}

/* The migration file names in dir, sorted; returns how many (or -1). */
static int list_migrations(const char *dir, char *names[MAX_MIGRATIONS])
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		log_error("cannot open %s", dir);
		return -1;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < MAX_MIGRATIONS)
		if (is_migration(e->d_name) && (names[n] = strdup(e->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	return n;
}

static int run_all(PGconn *c, const char *dir)
{
	char *names[MAX_MIGRATIONS];
	int n = list_migrations(dir, names);
	if (n < 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && !applied(c, names[i]))
			rc = apply(c, dir, names[i]);
		free(names[i]);
	}
	return rc;
}

int migrate_status(PGconn *c, const char *home, int *done, int *pending, char *last,
		   size_t lastlen)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/schema", home);
	char *names[MAX_MIGRATIONS];
	int n = list_migrations(dir, names);
	if (n < 0)
		return -1;
	PGresult *res = PQexec(c, "SELECT to_regclass('schema_migrations') IS NOT NULL"); /* -- static */
	bool table = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		     PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	*done = *pending = 0;
	snprintf(last, lastlen, "%s", "");
	for (int i = 0; i < n; i++) {
		if (table && applied(c, names[i])) {
			(*done)++;
			snprintf(last, lastlen, "%s", names[i]);
		} else {
			(*pending)++;
		}
		free(names[i]);
	}
	return 0;
}

int migrate_run(const struct config *cfg)
{
	PGconn *c = PQconnectdb(cfg->db);
	if (PQstatus(c) != CONNECTION_OK) {
		log_error("database connection failed: %s", PQerrorMessage(c));
		PQfinish(c);
		return 1;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning")); /* -- static */
	/* While the old version serves: a migration that would wait for a lock
	 * held by live traffic fails (and can be run again) instead of making
	 * every request queue behind it. */
	PQclear(PQexec(c, "SET lock_timeout = '10s'")); /* -- static */
	int rc = -1;
	if (ok(c, PQexec(c, "SELECT pg_advisory_lock(7262001)"), "lock") && /* -- static */
	    ok(c, PQexec(c, "CREATE TABLE IF NOT EXISTS schema_migrations (" /* -- static */
			    " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"),
	       "schema_migrations")) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/schema", cfg->home);
		rc = run_all(c, dir);
	}
	PQfinish(c);
	return rc == 0 ? 0 : 1;
}
