/* worker.c: one worker process. It owns a database connection, a publisher
 * connection and a Markdown renderer, accepts FastCGI requests one at a
 * time, and gives each a fresh arena that is reset in one place. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "http.h"
#include "images.h"
#include "log.h"
#include "metrics.h"
#include "markdown.h"
#include "publish.h"
#include "router.h"
#include "server.h"
#include "store.h"

static volatile sig_atomic_t busy, stopping;

/* SIGTERM interrupts accept() (the request was made with
 * FCGI_FAIL_ACCEPT_ON_INTR), so an idle worker leaves its loop; a busy one
 * finishes its request first (drain). The alarm covers a signal that came
 * just before accept() blocked. A request already accepted is never cut. */
static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
	alarm(1);
}

static void on_alarm(int sig)
{
	(void)sig;
	if (!busy)
		_exit(0);
	alarm(1);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

/* Answer one request, then count and log it (route patterns only). */
static void handle(struct req *r)
{
	double start = now_ms();
	router_dispatch(r);
	resp_send(r);
	double ms = now_ms() - start;
	metrics_request(router_index(r->route), r->status, ms);
	if (r->app->cfg.log_requests) {
		const char *method = "", *pattern = "unmatched";
		if (r->route)
			router_label(router_index(r->route), &method, &pattern);
		log_request(r->method ? log_safe(r->method) : "-", pattern, r->status, ms);
	}
}

void worker_main(const struct app *app, int listen_fd)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: accept() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	struct worker w = {.app = app};
	w.db = db_new(app->cfg.db);
	w.pub = publisher_new(app->cfg.publish_socket);
	w.md = markdown_new();
	if (w.db == NULL || w.pub == NULL || w.md == NULL) {
		log_error("worker start-up failed");
		_exit(1);
	}
	if (db_connect(w.db) != 0)
		log_error("no database yet; requests get 503 until it is back");
	/* ImageMagick only here, after the fork (never in the master) */
	images_init();
	if (store_prepare(app->cfg.files_dir) == 0)
		store_sweep(app->cfg.files_dir, 3600);

	FCGX_Request fr;
	if (FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		_exit(1);
	struct req r;
	for (;;) {
		if (stopping)
			break;
		busy = 0;
		if (FCGX_Accept_r(&fr) < 0) {
			if (!stopping)
				log_error("accept failed; this worker exits and is replaced");
			break;
		}
		busy = 1;
		memset(&r, 0, sizeof(r));
		arena_init(&r.arena);
		buf_init(&r.headers);
		buf_init(&r.body);
		r.w = &w;
		r.app = app;
		r.fcgi = &fr;
		handle(&r);
		FCGX_Finish_r(&fr);
		buf_free(&r.headers);
		buf_free(&r.body);
		arena_reset(&r.arena);
		busy = 0;
	}
	log_info("worker stopping");
	db_free(w.db);
	publisher_free(w.pub);
	markdown_free(w.md);
	images_done();
	exit(0); /* not _exit: LeakSanitizer checks the worker at exit */
}
