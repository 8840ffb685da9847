/* server.c: the master process (see server.h). */
#include "server.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "router.h"
#include "template.h"

/* workers (at most 256) plus the auth pool's (at most 16), see config.c */
#define MAX_WORKERS (256 + 16)

static volatile sig_atomic_t got_term, got_hup, got_chld;

static void on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

/* Two pools: slots [0, workers) accept on the main socket, the next
 * auth_workers slots on the auth socket, to which nginx passes /login and
 * /register only; so password hashing (scrypt) never occupies the workers
 * that everything else waits for. Any worker can answer any route. */
struct master {
	struct app *app;
	int fd, auth_fd;
	pid_t pids[MAX_WORKERS];
	time_t started[MAX_WORKERS];
	unsigned long restarts;
};

static pid_t spawn(struct master *m, int slot)
{
	pid_t pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		worker_main(m->app, slot < m->app->cfg.workers ? m->fd : m->auth_fd);
	m->pids[slot] = pid;
	m->started[slot] = time(NULL);
	return pid;
}

static int slots(const struct master *m)
{
	return m->app->cfg.workers + m->app->cfg.auth_workers;
}

static int slot_of(struct master *m, pid_t pid)
{
	for (int i = 0; i < slots(m); i++)
		if (m->pids[i] == pid)
			return i;
	return -1;
}

static void describe_exit(pid_t pid, int status)
{
	if (WIFSIGNALED(status))
		log_error("worker %d died of signal %d", (int)pid, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		log_error("worker %d exited with status %d", (int)pid, WEXITSTATUS(status));
}

/* Reap dead workers; respawn unless stopping. A worker that dies within a
 * second of its start is respawned after a pause, not in a tight loop. */
static void reap(struct master *m, bool respawn)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int slot = slot_of(m, pid);
		if (slot < 0)
			continue; /* an old generation's worker after a reload */
		m->pids[slot] = 0;
		describe_exit(pid, status);
		if (!respawn)
			continue;
		if (time(NULL) - m->started[slot] < 1)
			sleep(1);
		m->restarts++;
		log_info("restarting worker (restarts so far: %lu)", m->restarts);
		spawn(m, slot);
	}
}

static void reload(struct master *m)
{
	char err[512];
	char *dir = NULL;
	if (asprintf(&dir, "%s/templates", m->app->cfg.home) < 0)
		return;
	struct templates *t = templates_load(dir, err, sizeof(err));
	free(dir);
	if (t == NULL) {
		log_error("reload refused, templates: %s", err);
		return;
	}
	templates_free(m->app->tpl);
	m->app->tpl = t;
	log_info("reloading: templates read, replacing workers");
	for (int i = 0; i < slots(m); i++) {
		pid_t old = m->pids[i];
		if (old > 0)
			kill(old, SIGTERM);
		spawn(m, i);
	}
}

static void drain(struct master *m)
{
	for (int i = 0; i < slots(m); i++)
		if (m->pids[i] > 0)
			kill(m->pids[i], SIGTERM);
	for (int waited = 0; waited < 100; waited++) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == ECHILD)
			return;
		if (pid <= 0)
			usleep(100 * 1000);
	}
	log_error("workers did not stop in 10 s; killing them");
	for (int i = 0; i < slots(m); i++)
		if (m->pids[i] > 0)
			kill(m->pids[i], SIGKILL);
}

/* Give the socket to the web server's group (socket_group, e.g. www-data),
 * so that nginx may connect and no one else; the service must be a member. */
static int socket_group(const struct app *app, const char *path)
{
	const char *name = app->cfg.socket_group;
	if (name[0] == '\0')
		return 0;
	struct group *g = getgrnam(name);
	if (g == NULL) {
		log_error("socket_group: no group named %s", log_safe(name));
		return -1;
	}
	if (chown(path, (uid_t)-1, g->gr_gid) != 0) {
		log_error("socket_group: cannot give %s to group %s: %s", path,
			  log_safe(name), strerror(errno));
		return -1;
	}
	return 0;
}

/* A listening FastCGI socket for nginx only; -1 on failure. */
static int open_socket(const struct app *app, const char *path)
{
	/* FCGX_OpenSocket unlinks a stale socket and exit()s on failure. */
	int fd = FCGX_OpenSocket(path, 1024);
	if (fd < 0) {
		log_error("cannot open %s", path);
		return -1;
	}
	if (chmod(path, 0660) != 0 || socket_group(app, path) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int server_run(struct app *app)
{
	/* before the fork: every worker adds to the same counters */
	if (metrics_init(router_count()) != 0) {
		log_error("cannot map the shared metrics area");
		return 1;
	}
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 1;
	}
	if (strcmp(app->cfg.auth_socket, app->cfg.socket) == 0) {
		log_error("auth_socket must differ from socket (%s)", app->cfg.socket);
		return 1;
	}
	/* the auth socket first: once the main one exists, both do */
	int auth_fd = open_socket(app, app->cfg.auth_socket);
	if (auth_fd < 0)
		return 1;
	int fd = open_socket(app, app->cfg.socket);
	if (fd < 0) {
		close(auth_fd);
		unlink(app->cfg.auth_socket);
		return 1;
	}
	struct master m = {.app = app, .fd = fd, .auth_fd = auth_fd};

	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	for (int i = 0; i < slots(&m); i++)
		spawn(&m, i);
	log_info("serving on %s with %d workers, /login and /register on %s with %d",
		 app->cfg.socket, app->cfg.workers, app->cfg.auth_socket, app->cfg.auth_workers);

	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGHUP);
	sigdelset(&wait_mask, SIGCHLD);
	while (!got_term) {
		sigsuspend(&wait_mask);
		if (got_chld) {
			got_chld = 0;
			reap(&m, !got_term);
		}
		if (got_hup) {
			got_hup = 0;
			reload(&m);
		}
	}
	log_info("stopping: draining workers");
	drain(&m);
	unlink(app->cfg.socket);
	unlink(app->cfg.auth_socket);
	return 0;
}
