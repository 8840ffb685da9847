/* config.c: the configuration. Built-in defaults, then one `key = value`
 * file (/etc/messly/messly.conf, --config or MESSLY_CONFIG), then MESSLY_*
 * environment variables; validated once at start-up. The values live for
 * the whole process (read-only once the workers run). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

/* The order of this table is the order of deploy/messly.conf.example;
 * tests/unit/test_config.c checks that the example documents every row. */
enum {
	SET_DB,
	SET_SOCKET,
	SET_SOCKET_GROUP,
	SET_PUBLISH_SOCKET,
	SET_SECRET_FILE,
	SET_HOME,
	SET_FILES_DIR,
	SET_ORIGIN,
	SET_WORKERS,
	SET_SCRYPT_N,
	SET_MAX_BODY,
	SET_SESSION_DAYS,
	SET_MAX_UPLOAD,
	SET_PRESENCE_TTL,
	SET_LOG_REQUESTS,
	SET_LIMIT_LOGIN_ACCOUNT,
	SET_LIMIT_LOGIN_ADDR,
	SET_LIMIT_REGISTER_ADDR,
	SET_LIMIT_SEND_BURST,
	SET_LIMIT_SEND_PER_MINUTE,
	SET_LIMIT_EXEMPT,
	SET_AUTH_SOCKET,
	SET_AUTH_WORKERS,
	SET__MAX
};

static const struct setting settings[SET__MAX] = {
	[SET_DB] = {"db", "MESSLY_DB", "dbname=messly", false, 0, 0},
	[SET_SOCKET] = {"socket", "MESSLY_SOCKET", "var/run/messly.sock", false, 0, 0},
	[SET_SOCKET_GROUP] = {"socket_group", "MESSLY_SOCKET_GROUP", "", false, 0, 0},
	[SET_PUBLISH_SOCKET] = {"publish_socket", "MESSLY_PUBLISH_SOCKET",
				"var/run/nchan-pub.sock", false, 0, 0},
	[SET_SECRET_FILE] = {"secret_file", "MESSLY_SECRET_FILE", "var/secret", false, 0, 0},
	[SET_HOME] = {"home", "MESSLY_HOME", ".", false, 0, 0},
	[SET_FILES_DIR] = {"files_dir", "MESSLY_FILES_DIR", "var/files", false, 0, 0},
	[SET_ORIGIN] = {"origin", "MESSLY_ORIGIN", "", false, 0, 0},
	[SET_WORKERS] = {"workers", "MESSLY_WORKERS", "2", true, 1, 256},
	[SET_SCRYPT_N] = {"scrypt_n", "MESSLY_SCRYPT_N", "32768", true, 1024, 1L << 20},
	[SET_MAX_BODY] = {"max_body", "MESSLY_MAX_BODY", "65536", true, 1024, 1L << 24},
	[SET_SESSION_DAYS] = {"session_days", "MESSLY_SESSION_DAYS", "30", true, 1, 3650},
	[SET_MAX_UPLOAD] = {"max_upload", "MESSLY_MAX_UPLOAD", "52428800", true, 1024, 1L << 32},
	[SET_PRESENCE_TTL] = {"presence_ttl", "MESSLY_PRESENCE_TTL", "60", true, 4, 3600},
	[SET_LOG_REQUESTS] = {"log_requests", "MESSLY_LOG_REQUESTS", "1", true, 0, 1},
	/* rate limits (cgi/ratelimit.c) */
	[SET_LIMIT_LOGIN_ACCOUNT] = {"limit_login_account", "MESSLY_LIMIT_LOGIN_ACCOUNT", "100",
				     true, 1, 1000000},
	[SET_LIMIT_LOGIN_ADDR] = {"limit_login_addr", "MESSLY_LIMIT_LOGIN_ADDR", "300", true, 1,
				  1000000},
	[SET_LIMIT_REGISTER_ADDR] = {"limit_register_addr", "MESSLY_LIMIT_REGISTER_ADDR", "20",
				     true, 1, 1000000},
	[SET_LIMIT_SEND_BURST] = {"limit_send_burst", "MESSLY_LIMIT_SEND_BURST", "30", true, 1,
				  1000000},
	[SET_LIMIT_SEND_PER_MINUTE] = {"limit_send_per_minute", "MESSLY_LIMIT_SEND_PER_MINUTE",
				       "60", true, 1, 1000000},
	[SET_LIMIT_EXEMPT] = {"limit_exempt", "MESSLY_LIMIT_EXEMPT", "", false, 0, 0},
	/* the auth pool (server.c) */
	[SET_AUTH_SOCKET] = {"auth_socket", "MESSLY_AUTH_SOCKET", "", false, 0, 0},
	[SET_AUTH_WORKERS] = {"auth_workers", "MESSLY_AUTH_WORKERS", "1", true, 1, 16},
};

_Static_assert(SET__MAX <= sizeof(((struct config *)0)->values) / sizeof(char *),
	       "struct config values[] too small");

#define MAX_FILE (1L << 20)
#define MAX_LINE 4096

const struct setting *config_settings(size_t *n)
{
	*n = SET__MAX;
	return settings;
}

static int find(const char *key, size_t len)
{
	for (int i = 0; i < SET__MAX; i++)
		if (strlen(settings[i].key) == len && memcmp(settings[i].key, key, len) == 0)
			return i;
	return -1;
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

/* One line: blank, a comment (# first), or key = value. The value is the
 * rest of the line, trimmed, taken literally (it may contain # or =). */
static int parse_line(struct config *cfg, char *line, int lineno, bool seen[SET__MAX],
		      char *err, size_t errlen)
{
	char *s = trim(line, line + strlen(line));
	if (*s == '\0' || *s == '#')
		return 0;
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "%s:%d: expected 'key = value'", cfg->file, lineno);
		return -1;
	}
	char *value = trim(eq + 1, eq + 1 + strlen(eq + 1));
	char *key = trim(s, eq);
	int i = find(key, strlen(key));
	if (i < 0) {
		snprintf(err, errlen, "%s:%d: unknown setting '%.64s'", cfg->file, lineno, key);
		return -1;
	}
	if (seen[i]) {
		snprintf(err, errlen, "%s:%d: '%s' is set twice", cfg->file, lineno, key);
		return -1;
	}
	seen[i] = true;
	cfg->values[i] = value; /* points into the file's text, kept for the process */
	cfg->lines[i] = lineno;
	return 0;
}

static int read_all(FILE *f, char **out, char *err, size_t errlen, const char *path)
{
	char *text = malloc(MAX_FILE + 1);
	if (text == NULL) {
		snprintf(err, errlen, "out of memory reading %s", path);
		return -1;
	}
	size_t got = fread(text, 1, MAX_FILE + 1, f);
	if (ferror(f) || got > MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ? strerror(errno) : "larger than 1 MiB");
		free(text);
		return -1;
	}
	if (memchr(text, '\0', got) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(text);
		return -1;
	}
	text[got] = '\0';
	*out = text;
	return 0;
}

static int parse_file(struct config *cfg, char *text, char *err, size_t errlen)
{
	bool seen[SET__MAX] = {false};
	int lineno = 0;
	char *line = text;
	while (line != NULL && *line != '\0') {
		char *nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		if (strlen(line) > MAX_LINE) {
			snprintf(err, errlen, "%s:%d: line longer than %d bytes", cfg->file, lineno,
				 MAX_LINE);
			return -1;
		}
		if (parse_line(cfg, line, lineno, seen, err, errlen) != 0)
			return -1;
		line = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

/* Read the file into cfg->values. A missing file is an error only when it
 * was named explicitly. The text is kept: cfg->values point into it. */
static int load_file(struct config *cfg, const char *path, bool explicit, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		if (!explicit && errno == ENOENT) {
			cfg->file = "";
			return 0;
		}
		snprintf(err, errlen, "cannot open configuration file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	cfg->file = path;
	char *text = NULL;
	int rc = read_all(f, &text, err, errlen, path);
	fclose(f);
	if (rc != 0)
		return -1;
	cfg->file_text = text; /* cfg->values point into it */
	return parse_file(cfg, text, err, errlen);
}

/* Where a value came from, for error messages: "FILE:LINE: ", "MESSLY_X: " or "". */
static void origin(const struct config *cfg, int i, char *out, size_t len)
{
	if (cfg->lines[i] > 0)
		snprintf(out, len, "%s:%d: ", cfg->file, cfg->lines[i]);
	else if (cfg->lines[i] < 0)
		snprintf(out, len, "%s: ", settings[i].env);
	else
		out[0] = '\0';
}

static int to_long(const struct config *cfg, int i, long *out, char *err, size_t errlen)
{
	const struct setting *s = &settings[i];
	const char *v = cfg->values[i];
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || errno || *end || n < s->min || n > s->max) {
		char where[300];
		origin(cfg, i, where, sizeof(where));
		snprintf(err, errlen, "%s%s must be a number from %ld to %ld, not '%.64s'", where,
			 s->key, s->min, s->max, v);
		return -1;
	}
	*out = n;
	return 0;
}

/* The auth pool's socket: as set, else the main socket's path with "-auth"
 * before its ".sock" (or at its end): /run/messly/messly-auth.sock. */
static int auth_socket(struct config *cfg, char *err, size_t errlen)
{
	const char *set = cfg->values[SET_AUTH_SOCKET];
	if (set[0] != '\0') {
		cfg->auth_socket = set;
		return 0;
	}
	size_t n = strlen(cfg->socket), ext = strlen(".sock");
	if (n >= ext && strcmp(cfg->socket + n - ext, ".sock") == 0)
		n -= ext;
	else
		ext = 0;
	int len = snprintf(cfg->auth_socket_buf, sizeof(cfg->auth_socket_buf), "%.*s-auth%s",
			   (int)n, cfg->socket, ext ? ".sock" : "");
	if (len < 0 || (size_t)len >= sizeof(cfg->auth_socket_buf)) {
		snprintf(err, errlen, "socket: path too long to derive auth_socket from");
		return -1;
	}
	cfg->auth_socket = cfg->auth_socket_buf; /* (struct config is never copied) */
	cfg->values[SET_AUTH_SOCKET] = cfg->auth_socket_buf; /* `messly config` shows it */
	return 0;
}

/* Turn the text values into the typed fields, checking the numbers. */
static int convert(struct config *cfg, char *err, size_t errlen)
{
	long num[SET__MAX] = {0};
	for (int i = 0; i < SET__MAX; i++)
		if (settings[i].number && to_long(cfg, i, &num[i], err, errlen))
			return -1;
	if ((num[SET_SCRYPT_N] & (num[SET_SCRYPT_N] - 1)) != 0) {
		char where[300];
		origin(cfg, SET_SCRYPT_N, where, sizeof(where));
		snprintf(err, errlen, "%sscrypt_n must be a power of two", where);
		return -1;
	}
	cfg->db = cfg->values[SET_DB];
	cfg->socket = cfg->values[SET_SOCKET];
	cfg->socket_group = cfg->values[SET_SOCKET_GROUP];
	cfg->publish_socket = cfg->values[SET_PUBLISH_SOCKET];
	cfg->secret_file = cfg->values[SET_SECRET_FILE];
	cfg->home = cfg->values[SET_HOME];
	cfg->files_dir = cfg->values[SET_FILES_DIR];
	cfg->origin = cfg->values[SET_ORIGIN];
	cfg->workers = (int)num[SET_WORKERS];
	cfg->scrypt_n = (uint32_t)num[SET_SCRYPT_N];
	cfg->max_body = (size_t)num[SET_MAX_BODY];
	cfg->session_days = (int)num[SET_SESSION_DAYS];
	cfg->max_upload = (size_t)num[SET_MAX_UPLOAD];
	cfg->presence_ttl = (int)num[SET_PRESENCE_TTL];
	cfg->log_requests = num[SET_LOG_REQUESTS] != 0;
	cfg->login_account_max = (int)num[SET_LIMIT_LOGIN_ACCOUNT];
	cfg->login_addr_max = (int)num[SET_LIMIT_LOGIN_ADDR];
	cfg->register_addr_max = (int)num[SET_LIMIT_REGISTER_ADDR];
	cfg->send_burst = (int)num[SET_LIMIT_SEND_BURST];
	cfg->send_per_minute = (int)num[SET_LIMIT_SEND_PER_MINUTE];
	cfg->limit_exempt = cfg->values[SET_LIMIT_EXEMPT];
	cfg->auth_workers = (int)num[SET_AUTH_WORKERS];
	return auth_socket(cfg, err, errlen);
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	cfg->file_text = NULL;
	for (int i = 0; i < SET__MAX; i++) {
		cfg->values[i] = settings[i].dflt;
		cfg->lines[i] = 0;
	}
	bool explicit = path != NULL && *path != '\0';
	if (!explicit) {
		const char *env = getenv("MESSLY_CONFIG");
		explicit = env != NULL && *env != '\0';
		path = explicit ? env : MESSLY_CONFIG_DEFAULT;
	}
	if (load_file(cfg, path, explicit, err, errlen) != 0)
		return -1;
	for (int i = 0; i < SET__MAX; i++) {
		const char *v = getenv(settings[i].env);
		if (v != NULL && *v != '\0') {
			cfg->values[i] = v;
			cfg->lines[i] = -1;
		}
	}
	return convert(cfg, err, errlen);
}

void config_free(struct config *cfg)
{
	free(cfg->file_text);
	cfg->file_text = NULL;
}

const char *config_get(const struct config *cfg, const char *key)
{
	int i = find(key, strlen(key));
	return i < 0 ? NULL : cfg->values[i];
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
	hmac_key_init(&app->secret_key, app->secret, sizeof(app->secret));
	return 0;
}
