/* maintenance.h: `messly maintenance`, the periodic clean-up run by
 * messly-maintenance.timer (deploy/systemd/). */
#ifndef MESSLY_MAINTENANCE_H
#define MESSLY_MAINTENANCE_H

#include "app.h"

/* Delete expired sessions, unused avatar rows, and blobs nothing refers
 * to (older than a day).
 * Returns the exit status. */
int maintenance_run(const struct app *app);

#endif
