/* server.h: the process model. `messly serve` is a master that opens the
 * FastCGI socket, preforks workers, restarts a worker that dies, reloads
 * (templates, then fresh workers) on SIGHUP and drains on SIGTERM. */
#ifndef MESSLY_SERVER_H
#define MESSLY_SERVER_H

#include "app.h"

int server_run(struct app *app);
/* One worker's accept loop (worker.c); never returns. */
void worker_main(const struct app *app, int listen_fd) __attribute__((noreturn));

#endif
