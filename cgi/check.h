/* check.h: `messly check-config`, the configuration and environment checks. */
#ifndef MESSLY_CHECK_H
#define MESSLY_CHECK_H

#include "app.h"

/* Print one line per check and return the exit status (0 ok, 1 failed).
 * load_rc/load_err: the result of config_load() (a failure is reported). */
int check_config(struct app *app, int load_rc, const char *load_err);

#endif
