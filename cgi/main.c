/* main.c: the messly command: `messly serve`, `messly migrate`, `messly version`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "migrate.h"
#include "server.h"
#include "template.h"

#define MESSLY_VERSION "0.1.0"

static int usage(void)
{
	fputs("usage: messly serve [--workers N]\n"
	      "       messly migrate\n"
	      "       messly version\n"
	      "Configuration comes from MESSLY_* environment variables (see README.md).\n",
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

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	static struct app app;
	char err[512];
	if (config_load(&app.cfg, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return 1;
	}
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(&app, argc, argv);
	if (strcmp(argv[1], "migrate") == 0)
		return migrate_run(&app.cfg);
	if (strcmp(argv[1], "version") == 0) {
		puts("messly " MESSLY_VERSION);
		return 0;
	}
	return usage();
}
