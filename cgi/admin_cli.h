/* admin_cli.h: the `messly admin` subcommand (admin_cli.c). */
#ifndef MESSLY_ADMIN_CLI_H
#define MESSLY_ADMIN_CLI_H

#include "app.h"

/* argv: messly admin promote|demote NICKNAME. 0 done, 1 failed, 2 usage. */
int admin_cli_run(const struct app *app, int argc, char **argv);

#endif
