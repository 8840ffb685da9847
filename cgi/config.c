/* config.c: configuration from the environment (MESSLY_*), with defaults,
 * validated once at start-up. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

static int env_long(const char *name, long dflt, long min, long max, long *out,
		    char *err, size_t errlen)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0') {
		*out = dflt;
		return 0;
	}
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		snprintf(err, errlen, "%s must be a number from %ld to %ld", name, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

int config_load(struct config *cfg, char *err, size_t errlen)
{
	long n;
	cfg->db = env_or("MESSLY_DB", "dbname=messly");
	cfg->socket = env_or("MESSLY_SOCKET", "var/run/messly.sock");
	cfg->publish_socket = env_or("MESSLY_PUBLISH_SOCKET", "var/run/nchan-pub.sock");
	cfg->secret_file = env_or("MESSLY_SECRET_FILE", "var/secret");
	cfg->home = env_or("MESSLY_HOME", ".");
	cfg->origin = env_or("MESSLY_ORIGIN", "");
	if (env_long("MESSLY_SCRYPT_N", 32768, 1024, 1L << 20, &n, err, errlen))
		return -1;
	if ((n & (n - 1)) != 0) {
		snprintf(err, errlen, "MESSLY_SCRYPT_N must be a power of two");
		return -1;
	}
	cfg->scrypt_n = (uint32_t)n;
	if (env_long("MESSLY_WORKERS", 2, 1, 256, &n, err, errlen))
		return -1;
	cfg->workers = (int)n;
	if (env_long("MESSLY_MAX_BODY", 65536, 1024, 1L << 24, &n, err, errlen))
		return -1;
	cfg->max_body = (size_t)n;
	if (env_long("MESSLY_SESSION_DAYS", 30, 1, 3650, &n, err, errlen))
		return -1;
	cfg->session_days = (int)n;
	if (env_long("MESSLY_PRESENCE_TTL", 60, 4, 3600, &n, err, errlen))
		return -1;
	cfg->presence_ttl = (int)n;
	return 0;
}

int config_load_secret(struct app *app, char *err, size_t errlen)
{
	FILE *f = fopen(app->cfg.secret_file, "r");
	if (f == NULL) {
		snprintf(err, errlen, "cannot open secret file %s: %s", app->cfg.secret_file,
			 strerror(errno));
		return -1;
	}
	char hex[130] = {0};
	size_t got = fread(hex, 1, sizeof(hex) - 1, f);
	fclose(f);
	while (got > 0 && (hex[got - 1] == '\n' || hex[got - 1] == ' '))
		hex[--got] = '\0';
	if (got != 64 || hex_decode(hex, app->secret, 32) != 0) {
		snprintf(err, errlen, "secret file %s must hold 64 hex characters",
			 app->cfg.secret_file);
		return -1;
	}
	return 0;
}
