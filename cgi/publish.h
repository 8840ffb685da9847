/* publish.h: delivering events to live clients through nchan's internal
 * publisher (HTTP/1.1 over a unix socket, one keep-alive connection per
 * worker). nchan is a delivery path, never storage: a failed publish is
 * logged and the clients catch up from the database. */
#ifndef MESSLY_PUBLISH_H
#define MESSLY_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct publisher *publisher_new(const char *socket_path);
void publisher_free(struct publisher *p);

/* Publish one JSON event to the private channels of these users (batched,
 * at most 255 channels per POST). Returns 0, or -1 if any POST failed. */
int publish_to_users(struct worker *w, const int64_t *users, size_t n, const char *json,
		     size_t len);
/* Delete a user's channel: all their open sockets close (deactivation). */
int publish_close_user(struct worker *w, int64_t user);
/* Delete one session's channel: that session's sockets close (logout). */
int publish_close_session(struct worker *w, const uint8_t session_hash[32]);

/* nchan's stub status: the number of live subscribers, or -1 when the
 * publisher cannot be reached (also the /healthz check). */
long publish_status(struct worker *w);

#endif
