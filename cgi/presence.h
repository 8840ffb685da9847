/* presence.h: who is online. nchan's subscribe/unsubscribe hooks count a
 * user's live connections; a heartbeat from connected clients keeps the
 * count trusted for MESSLY_PRESENCE_TTL seconds (a crashed nginx worker
 * fires no unsubscribe hook). Privacy: everyone or nobody. */
#ifndef MESSLY_PRESENCE_H
#define MESSLY_PRESENCE_H

#include "app.h"
#include "db.h"

/* Add "online" (true/false, null when hidden) and "last_seen" (ISO 8601 UTC,
 * null when online, unknown or hidden) to user_obj for user_id, as the
 * user's privacy setting allows the viewer (r->me; anyone when NULL).
 * For HTML also "presence_known" and "last_seen_text" (see
 * templates/partials/presence.html). Returns 0, or -1 after answering an
 * error (the handler just returns). */
int presence_add(struct req *r, struct json_object *user_obj, long long user_id);
/* The same for every user object (with "id") in an array: one query. */
int presence_add_many(struct req *r, struct json_object *users);

/* The chat page's read of its peer's presence (STMT_PRESENCE_PEER, by the
 * chat: the page asks before it knows the peer), queued in b; its index. */
int presence_queue_peer(struct req *r, struct db_batch *b, long long chat);
/* presence_add() from that read's result (nothing without a row for user_id). */
void presence_apply(struct req *r, struct json_object *user_obj, long long user_id,
		    const PGresult *res);

/* Seconds between a connected client's heartbeats. */
int presence_ping_interval(const struct app *app);

#endif
