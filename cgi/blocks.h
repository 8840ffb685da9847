/* blocks.h: what blocking means for direct chats (h_blocks.c), for the
 * chat handlers. The SQL side is messly_blocked() and
 * messly_direct_blocked() in schema/004_profiles.sql. */
#ifndef MESSLY_BLOCKS_H
#define MESSLY_BLOCKS_H

#include "app.h"
#include "db.h"

/* For a direct chat the viewer is in, from STMT_BLOCK_STATE's result (the
 * chat page sends it with its other reads): {peer, by_me, by_peer} (by_me:
 * the viewer blocked the peer; by_peer: the peer blocked the viewer). NULL
 * for other chats, a deleted or system peer, or when res is NULL after a
 * database error (logged; the page shows no block state). Owned by the
 * caller. */
struct json_object *blocks_chat_state(const PGresult *res);
/* Why the viewer may not write in this chat: a catalog key
 * ("err.blocked.by_me" or "err.blocked.by_peer"), or NULL. */
const char *blocks_send_refusal(struct req *r, long long chat_id);

#endif
