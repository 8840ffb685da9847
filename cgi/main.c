/* main.c: the messly command: serve, migrate, check-config, config,
 * maintenance, admin (promote/demote), version. `--config FILE` anywhere names the configuration
 * file (else MESSLY_CONFIG, else /etc/messly/messly.conf). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_cli.h"
#include "check.h"
#include "config.h"
#include "log.h"
#include "maintenance.h"
#include "migrate.h"
#include "server.h"
#include "template.h"

#define MESSLY_VERSION "0.1.0"

static int usage(void)
{
	fputs("usage: messly [--config FILE] serve [--workers N]\n"
	      "       messly [--config FILE] migrate\n"
	      "       messly [--config FILE] check-config\n"
	      "       messly [--config FILE] config [KEY | --file]\n"
	      "       messly [--config FILE] maintenance\n"
	      "       messly [--config FILE] admin promote|demote NICKNAME\n"
	      "       messly version\n"
	      "Settings come from FILE (default " MESSLY_CONFIG_DEFAULT ", or MESSLY_CONFIG);\n"
	      "MESSLY_* environment variables override it (see deploy/messly.conf.example).\n",
	      stderr);
	return 2;
}

static int cmd_serve(struct app *app, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
			int n = atoi(argv[++i]);
			if (n < 1 || n > 256)
				return usage();
			app->cfg.workers = n;
		} else {
			return usage();
		}
	}
	char err[512];
	if (config_load_secret(app, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return 1;
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/templates", app->cfg.home);
	app->tpl = templates_load(dir, err, sizeof(err));
	if (app->tpl == NULL) {
		log_error("templates: %s", err);
		return 1;
	}
	int rc = server_run(app);
	templates_free(app->tpl);
	return rc;
}

/* `messly config`: every effective setting as `key = value`; with KEY only
 * that value, with --file the file read (for scripts: deploy/backup.sh). */
static int cmd_config(const struct config *cfg, int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[2], "--file") == 0) {
		puts(cfg->file); /* the file read; an empty line when none */
		return 0;
	}
	if (argc == 3) {
		const char *v = config_get(cfg, argv[2]);
		if (v == NULL) {
			fprintf(stderr, "messly config: unknown setting '%s'\n", argv[2]);
			return 2;
		}
		puts(v);
		return 0;
	}
	if (argc != 2)
		return usage();
	size_t n;
	const struct setting *s = config_settings(&n);
	for (size_t i = 0; i < n; i++)
		printf("%s = %s\n", s[i].key, config_get(cfg, s[i].key));
	return 0;
}

/* Take `--config FILE` out of argv (anywhere); NULL when absent. */
static const char *take_config_flag(int *argc, char **argv)
{
	const char *path = NULL;
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
		else
			argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return path;
}

static int run(struct app *app, int argc, char **argv, const char *path)
{
	char err[512];
	int rc = config_load(&app->cfg, path, err, sizeof(err));
	if (strcmp(argv[1], "check-config") == 0)
		return argc == 2 ? check_config(app, rc, err) : usage();
	if (rc != 0) {
		log_error("%s", err);
		return 1;
	}
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(app, argc, argv);
	if (strcmp(argv[1], "migrate") == 0)
		return argc == 2 ? migrate_run(&app->cfg) : usage();
	if (strcmp(argv[1], "config") == 0)
		return cmd_config(&app->cfg, argc, argv);
	if (strcmp(argv[1], "maintenance") == 0)
		return argc == 2 ? maintenance_run(app) : usage();
	if (strcmp(argv[1], "admin") == 0) {
		rc = admin_cli_run(app, argc, argv);
		return rc == 2 ? usage() : rc;
	}
	return usage();
}

int main(int argc, char **argv)
{
	const char *path = take_config_flag(&argc, argv);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "version") == 0) {
		puts("messly " MESSLY_VERSION);
		return 0;
	}
	static struct app app;
	int rc = run(&app, argc, argv, path);
	config_free(&app.cfg);
	return rc;
}
