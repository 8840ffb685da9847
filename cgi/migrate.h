/* migrate.h: `messly migrate` applies schema/NNN_name.sql files once each,
 * in order, each in its own transaction, recorded in schema_migrations.
 * Migrations are additive (see deploy/README.md, "Upgrades"): the version
 * that is still serving keeps working on the migrated schema. */
#ifndef MESSLY_MIGRATE_H
#define MESSLY_MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "app.h"

int migrate_run(const struct config *cfg);
/* For check-config: how many of home/schema's migrations are applied and
 * pending on connection c, and the name of the last applied one. 0 or -1. */
int migrate_status(PGconn *c, const char *home, int *done, int *pending, char *last,
		   size_t lastlen);

#endif
