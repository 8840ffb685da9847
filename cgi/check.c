/* check.c: `messly check-config` -- validates the effective configuration
 * (file + environment), the secret, the templates, the database connection
 * and its schema, and says plainly what is wrong. One line per check:
 * "ok", "warn" or "FAIL"; the exit status is 1 when anything failed. */
#include "check.h"

#include <errno.h>
#include <grp.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "images.h"
#include "migrate.h"
#include "template.h"

struct checks {
	int failed, warned;
};

static void report(struct checks *c, const char *level, const char *what, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static void report(struct checks *c, const char *level, const char *what, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(level, "FAIL") == 0)
		c->failed++;
	else if (strcmp(level, "warn") == 0)
		c->warned++;
	printf("%-4s  %s: %s\n", level, what, msg);
}

static void check_secret(struct checks *c, struct app *app)
{
	char err[512];
	if (config_load_secret(app, err, sizeof(err)) != 0) {
		report(c, "FAIL", "secret", "%s", err);
		return;
	}
	struct stat st;
	if (stat(app->cfg.secret_file, &st) == 0 && (st.st_mode & 0007) != 0)
		report(c, "FAIL", "secret", "%s is readable by every user (mode %04o); chmod 0640",
		       app->cfg.secret_file, (unsigned)(st.st_mode & 07777));
	else
		report(c, "ok", "secret", "%s", app->cfg.secret_file);
}

static void check_templates(struct checks *c, const struct config *cfg)
{
	char dir[4096], err[512];
	snprintf(dir, sizeof(dir), "%s/templates", cfg->home);
	struct templates *t = templates_load(dir, err, sizeof(err));
	if (t == NULL) {
		report(c, "FAIL", "templates", "%s: %s (is home = %s right?)", dir, err, cfg->home);
		return;
	}
	templates_free(t);
	report(c, "ok", "templates", "%s", dir);
}

static void check_schema(struct checks *c, PGconn *db, const struct config *cfg)
{
	int done, pending;
	char last[256];
	if (migrate_status(db, cfg->home, &done, &pending, last, sizeof(last)) != 0) {
		report(c, "FAIL", "schema", "cannot read %s/schema", cfg->home);
	} else if (pending > 0) {
		report(c, "FAIL", "schema", "%d migration(s) pending after %s; run `messly migrate`",
		       pending, done > 0 ? last : "(none)");
	} else {
		report(c, "ok", "schema", "up to date (%d migrations, last %s)", done, last);
	}
}

static void check_database(struct checks *c, const struct config *cfg)
{
	/* connect_timeout first: the conninfo's own value, if any, wins. */
	const char *keys[] = {"connect_timeout", "dbname", NULL};
	const char *vals[] = {"5", cfg->db, NULL};
	PGconn *db = PQconnectdbParams(keys, vals, 1);
	if (db == NULL || PQstatus(db) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", db ? PQerrorMessage(db) : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		report(c, "FAIL", "database", "cannot connect (setting db): %s", msg);
		PQfinish(db);
		return;
	}
	report(c, "ok", "database", "connected to %s as %s (PostgreSQL %d)", PQdb(db), PQuser(db),
	       PQserverVersion(db));
	check_schema(c, db, cfg);
	PQfinish(db);
}

static void check_socket_group(struct checks *c, const struct config *cfg)
{
	if (cfg->socket_group[0] == '\0')
		return;
	errno = 0;
	if (getgrnam(cfg->socket_group) == NULL)
		report(c, "FAIL", "socket_group", "no group named '%s'", cfg->socket_group);
	else
		report(c, "ok", "socket_group", "%s", cfg->socket_group);
}

static void check_dir(struct checks *c, const char *what, const char *path, const char *why)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		report(c, "warn", what, "%s is not a directory (%s)", path, why);
	else if (access(path, W_OK | X_OK) != 0)
		report(c, "warn", what, "%s is not writable by this user (%s)", path, why);
	else
		report(c, "ok", what, "%s", path);
}

/* The directory a socket is created in. */
static void check_socket_dir(struct checks *c, const char *what, const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		check_dir(c, what, dir, "the FastCGI socket is created there");
	}
}

static void check_paths(struct checks *c, const struct config *cfg)
{
	check_socket_dir(c, "socket", cfg->socket);
	if (strcmp(cfg->auth_socket, cfg->socket) == 0)
		report(c, "FAIL", "auth_socket", "must differ from socket (%s)", cfg->socket);
	else
		check_socket_dir(c, "auth_socket", cfg->auth_socket);
	check_dir(c, "files_dir", cfg->files_dir, "uploaded files are stored there");
	if (cfg->origin[0] == '\0')
		report(c, "warn", "origin", "not set; taken from each request's Host header"
					    " (set origin = https://your.host)");
	else if (strncmp(cfg->origin, "https://", 8) != 0 && strncmp(cfg->origin, "http://", 7) != 0)
		report(c, "FAIL", "origin", "'%s' must start with https:// (or http://)", cfg->origin);
	else
		report(c, "ok", "origin", "%s", cfg->origin);
}

/* The effective ImageMagick policy, loaded the way the workers load it:
 * every coder denied but GIF, JPEG, PNG and WEBP, and the project's
 * resource limits (notes/security.md row 0.1). images_init() logs each
 * rule that is not in force. */
static void check_images(struct checks *c)
{
	const char *dir = getenv("MAGICK_CONFIGURE_PATH");
	if (images_init())
		report(c, "ok", "imagemagick", "the project's policy is in force (%s)",
		       dir ? dir : "MAGICK_CONFIGURE_PATH unset");
	else
		report(c, "FAIL", "imagemagick",
		       "the policy is not in force: set MAGICK_CONFIGURE_PATH to the directory of "
		       "messly's policy.xml (images would be refused)");
	images_done();
}

int check_config(struct app *app, int load_rc, const char *load_err)
{
	struct checks c = {0, 0};
	if (load_rc != 0) {
		report(&c, "FAIL", "settings", "%s", load_err);
		printf("1 check failed\n");
		return 1;
	}
	const struct config *cfg = &app->cfg;
	size_t n;
	config_settings(&n);
	report(&c, "ok", "settings", "%zu settings valid (file: %s; MESSLY_* variables override it)",
	       n, cfg->file[0] ? cfg->file : "none, built-in defaults");
	check_secret(&c, app);
	check_templates(&c, cfg);
	check_socket_group(&c, cfg);
	check_paths(&c, cfg);
	check_database(&c, cfg);
	check_images(&c);
	if (c.failed > 0)
		printf("%d check%s failed, %d warning%s\n", c.failed, c.failed == 1 ? "" : "s",
		       c.warned, c.warned == 1 ? "" : "s");
	else
		printf("configuration OK (%d warning%s)\n", c.warned, c.warned == 1 ? "" : "s");
	return c.failed > 0 ? 1 : 0;
}
