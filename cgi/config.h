/* config.h: reading the configuration (environment variables) and the secret. */
#ifndef MESSLY_CONFIG_H
#define MESSLY_CONFIG_H

#include <stddef.h>

#include "app.h"

/* Fill cfg from the environment with defaults. Returns 0, or -1 with a
 * message in err. */
int config_load(struct config *cfg, char *err, size_t errlen);
/* Read the 64-hex-character secret file into app->secret. */
int config_load_secret(struct app *app, char *err, size_t errlen);

#endif
