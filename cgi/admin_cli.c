/* admin_cli.c: `messly admin promote|demote NICKNAME` -- grants or takes
 * admin rights from the command line (the audit log records it with no
 * admin and the address "cli"). Like maintenance.c it builds a worker and a
 * request of its own to go through the statement table. */
#include "admin_cli.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"

int admin_cli_run(const struct app *app, int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[2], "promote") != 0 && strcmp(argv[2], "demote") != 0))
		return 2;
	bool promote = strcmp(argv[2], "promote") == 0;
	struct worker w = {.app = app, .db = db_new(app->cfg.db)};
	if (w.db == NULL) {
		log_error("admin: out of memory");
		return 1;
	}
	struct req r = {.w = &w, .app = app};
	arena_init(&r.arena);
	const char *params[] = {argv[3], promote ? "true" : "false"};
	PGresult *res;
	int rc = 1;
	if (db_run(&r, STMT_ADMIN_CLI_ROLE, params, 2, &res) != DB_OK)
		log_error("admin: the database refused the change");
	else if (PQntuples(res) != 1)
		fprintf(stderr, "messly admin: no user '%s'\n", argv[3]);
	else {
		printf("%s is %s an admin\n", argv[3], promote ? "now" : "no longer");
		rc = 0;
	}
	arena_free(&r.arena);
	db_free(w.db);
	return rc;
}
