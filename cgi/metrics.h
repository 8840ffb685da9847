/* metrics.h: request counters and latency histograms shared by every
 * worker (one anonymous shared mapping made by the master before it forks;
 * workers add with atomic operations), rendered in Prometheus' text format
 * by GET /metrics. The only process-wide state that changes after start-up,
 * and it holds numbers only. */
#ifndef MESSLY_METRICS_H
#define MESSLY_METRICS_H

#include <stddef.h>

#include "buf.h"

/* Create the shared area for n_routes routes (plus one for "unmatched").
 * Call once in the master before forking. 0 or -1. */
int metrics_init(size_t n_routes);

/* One finished request: route index (n_routes for no route), status, time. */
void metrics_request(size_t route, int status, double ms);
/* A publish to nchan that failed. */
void metrics_publish_failed(void);

/* Append the Prometheus text exposition. route_label(i) gives route i's
 * method and pattern ("GET", "/chats/#"); active_sockets < 0 when nchan's
 * status was unreadable. */
void metrics_render(struct buf *out,
		    void (*route_label)(size_t i, const char **method, const char **pattern),
		    long active_sockets);

#endif
