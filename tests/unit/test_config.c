/* test_config.c: the configuration file, environment overrides, the errors
 * a broken file gets, and deploy/messly.conf.example documenting every
 * setting. Run from the repository root (the Makefile does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static char dir[] = "/tmp/messly-test-config.XXXXXX";

static void clear_env(void)
{
	size_t n;
	const struct setting *s = config_settings(&n);
	for (size_t i = 0; i < n; i++)
		unsetenv(s[i].env);
	unsetenv("MESSLY_CONFIG");
}

/* Write text to a file in the scratch directory; returns its path. */
static const char *write_conf(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return path;
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load path; returns config_load's result, the error in err. */
static int load(struct config *cfg, const char *path, char *err, size_t len)
{
	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	return config_load(cfg, path, err, len);
}

TEST(empty_file_gives_builtin_defaults)
{
	struct config cfg;
	char err[512];
	CHECK(load(&cfg, "/dev/null", err, sizeof(err)) == 0);
	CHECK_STR(cfg.db, "dbname=messly");
	CHECK_STR(cfg.socket, "var/run/messly.sock");
	CHECK_STR(cfg.home, ".");
	CHECK_STR(cfg.socket_group, "");
	CHECK(cfg.workers == 2);
	CHECK(cfg.scrypt_n == 32768);
	CHECK(cfg.max_body == 65536);
	CHECK(cfg.session_days == 30);
	CHECK_STR(cfg.file, "/dev/null");
	config_free(&cfg);
}

TEST(file_values_apply_and_environment_overrides)
{
	const char *p = write_conf("a.conf", "# comment\n\n  db = host=/x dbname=m password=a#b=c  \r\n"
					     "workers=7\n\tsession_days =\t9\norigin = https://c.example\n");
	struct config cfg;
	char err[512];
	CHECK(load(&cfg, p, err, sizeof(err)) == 0);
	CHECK_STR(cfg.db, "host=/x dbname=m password=a#b=c");
	CHECK(cfg.workers == 7);
	CHECK(cfg.session_days == 9);
	CHECK_STR(cfg.origin, "https://c.example");
	CHECK_STR(config_get(&cfg, "workers"), "7");
	CHECK(config_get(&cfg, "nope") == NULL);
	config_free(&cfg);

	setenv("MESSLY_WORKERS", "3", 1);
	setenv("MESSLY_DB", "dbname=fromenv", 1);
	CHECK(load(&cfg, p, err, sizeof(err)) == 0);
	CHECK(cfg.workers == 3);
	CHECK_STR(cfg.db, "dbname=fromenv");
	CHECK(cfg.session_days == 9); /* not overridden: still the file's */
	config_free(&cfg);
	clear_env();
}

TEST(messly_config_names_the_file)
{
	const char *p = write_conf("b.conf", "workers = 5\n");
	setenv("MESSLY_CONFIG", p, 1);
	struct config cfg;
	char err[512];
	CHECK(load(&cfg, NULL, err, sizeof(err)) == 0);
	CHECK(cfg.workers == 5);
	config_free(&cfg);
	/* named explicitly but missing: an error, not silent defaults */
	setenv("MESSLY_CONFIG", "/nonexistent/messly.conf", 1);
	CHECK(load(&cfg, NULL, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent/messly.conf") != NULL);
	config_free(&cfg);
	CHECK(load(&cfg, "/nonexistent/other.conf", err, sizeof(err)) == -1);
	config_free(&cfg);
	clear_env();
}

/* Each broken file is refused with a message naming what and where. */
TEST(broken_files_are_refused_with_the_line)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"workers = 2\nwokers = 3\n", ":2: unknown setting 'wokers'"},
		{"# ok\njust words\n", ":2: expected 'key = value'"},
		{"db = a\ndb = b\n", ":2: 'db' is set twice"},
		{"workers = many\n", ":1: workers must be a number from 1 to 256, not 'many'"},
		{"db = x\nworkers = 0\n", ":2: workers must be a number from 1 to 256"},
		{"workers = 99999999999999999999\n", ":1: workers must be a number"},
		{"\nscrypt_n = 3000\n", ":2: scrypt_n must be a power of two"},
		{"max_body = 10\n", ":1: max_body must be a number from 1024"},
		{"= value\n", ":1: unknown setting ''"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = write_conf("bad.conf", cases[i].text);
		struct config cfg;
		char err[512];
		CHECK(load(&cfg, p, err, sizeof(err)) == -1);
		if (strstr(err, cases[i].want) == NULL) {
			printf("  case %zu: error '%s' lacks '%s'\n", i, err, cases[i].want);
			unit_cur_failed = 1;
		}
		config_free(&cfg);
	}
	/* a bad environment value is refused the same way */
	setenv("MESSLY_SESSION_DAYS", "-1", 1);
	struct config cfg;
	char err[512];
	CHECK(load(&cfg, "/dev/null", err, sizeof(err)) == -1);
	CHECK_STR(err, "MESSLY_SESSION_DAYS: session_days must be a number from 1 to 3650, not '-1'");
	config_free(&cfg);
	clear_env();
}

/* The example parses, sets every setting, and documents each one's
 * environment variable and built-in default. */
TEST(example_documents_every_setting)
{
	struct config cfg;
	char err[512];
	CHECK(load(&cfg, "deploy/messly.conf.example", err, sizeof(err)) == 0);
	if (err[0])
		printf("  %s\n", err);
	FILE *f = fopen("deploy/messly.conf.example", "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	static char text[65536];
	size_t got = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[got] = '\0';
	size_t n;
	const struct setting *s = config_settings(&n);
	for (size_t i = 0; i < n; i++) {
		char line[128], env[128], dflt[256];
		snprintf(line, sizeof(line), "\n%s = ", s[i].key);
		snprintf(env, sizeof(env), "Env: %s.", s[i].env);
		snprintf(dflt, sizeof(dflt), "Default: %s", s[i].dflt[0] ? s[i].dflt : "(empty)");
		const char *at = strstr(text, line);
		/* the comment block just above the line names env and default */
		const char *prev = at;
		while (prev && prev > text && !(prev[-1] == '\n' && prev[0] == '\n'))
			prev--;
		int documented = at && prev && strstr(prev, env) && strstr(prev, env) < at &&
				 strstr(prev, dflt) && strstr(prev, dflt) < at;
		if (!documented) {
			printf("  deploy/messly.conf.example: '%s' lacks a line or its '%s' / '%s'\n",
			       s[i].key, env, dflt);
			unit_cur_failed = 1;
		}
	}
	config_free(&cfg);
}

/* The auth pool's socket: named, or derived from the main socket's path. */
TEST(auth_socket_is_derived_from_socket)
{
	struct config cfg;
	char err[512];
	CHECK(load(&cfg, write_conf("s1.conf", "socket = /run/m/messly.sock\n"), err, sizeof(err)) == 0);
	CHECK_STR(cfg.auth_socket, "/run/m/messly-auth.sock");
	CHECK_STR(config_get(&cfg, "auth_socket"), "/run/m/messly-auth.sock");
	CHECK(cfg.auth_workers == 1);
	config_free(&cfg);
	CHECK(load(&cfg, write_conf("s2.conf", "socket = /run/m/fcgi\nauth_workers = 3\n"), err,
		   sizeof(err)) == 0);
	CHECK_STR(cfg.auth_socket, "/run/m/fcgi-auth");
	CHECK(cfg.auth_workers == 3);
	config_free(&cfg);
	CHECK(load(&cfg, write_conf("s3.conf", "auth_socket = /tmp/a.sock\n"), err, sizeof(err)) == 0);
	CHECK_STR(cfg.auth_socket, "/tmp/a.sock");
	config_free(&cfg);
	CHECK(load(&cfg, write_conf("s4.conf", "auth_workers = 0\n"), err, sizeof(err)) != 0);
	config_free(&cfg);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	clear_env();
	RUN(empty_file_gives_builtin_defaults);
	RUN(file_values_apply_and_environment_overrides);
	RUN(messly_config_names_the_file);
	RUN(broken_files_are_refused_with_the_line);
	RUN(example_documents_every_setting);
	RUN(auth_socket_is_derived_from_socket);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
	return unit_summary();
}
