/* config.h: reading the configuration (one `key = value` file, overridden
 * by MESSLY_* environment variables) and the secret. */
#ifndef MESSLY_CONFIG_H
#define MESSLY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"

/* Where the file is when neither --config nor MESSLY_CONFIG names one. */
#ifndef MESSLY_CONFIG_DEFAULT
#define MESSLY_CONFIG_DEFAULT "/etc/messly/messly.conf"
#endif

/* One setting: its key in the file, its environment variable, its built-in
 * default, and for numbers the accepted range. */
struct setting {
	const char *key;
	const char *env;
	const char *dflt;
	bool number;
	long min, max;
};

/* The table of every setting (for check-config and the documentation test). */
const struct setting *config_settings(size_t *n);

/* Fill cfg: built-in defaults, then the file, then the environment.
 * path: the file to read; NULL means MESSLY_CONFIG, else the default path,
 * which may be missing (built-in defaults then). A file named explicitly
 * must exist. Returns 0, or -1 with a message in err (naming the line);
 * either way config_free() releases what was read. */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
/* Free the file's text (the values point into it). */
void config_free(struct config *cfg);
/* The effective value of a setting as text (NULL for an unknown key). */
const char *config_get(const struct config *cfg, const char *key);
/* Read the 64-hex-character secret file into app->secret. */
int config_load_secret(struct app *app, char *err, size_t errlen);

#endif
