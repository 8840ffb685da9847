/* migrate.h: `messly migrate` applies schema/NNN_name.sql files once each,
 * in order, each in its own transaction, recorded in schema_migrations. */
#ifndef MESSLY_MIGRATE_H
#define MESSLY_MIGRATE_H

#include "app.h"

int migrate_run(const struct config *cfg);

#endif
