/* readstate.h: read positions as seen by the rest of the code: moving the
 * viewer's read position (and telling their devices and, receipts allowing,
 * the other members), and the chat page's read-state decorations. */
#ifndef MESSLY_READSTATE_H
#define MESSLY_READSTATE_H

#include <stdbool.h>

#include "app.h"
#include "db.h"

/* Move the viewer's read position in chat forward to seq (capped at the
 * chat's last seq). When it moved, publishes {type:"read", chat, seq,
 * unread} to the viewer's own channel and, when the viewer sends receipts,
 * {type:"receipt", chat, user, seq} to the other members who see receipts.
 * *found is false when the viewer is not a member. Returns false after
 * answering an error. */
bool readstate_mark(struct req *r, long long chat, long long seq, bool *found);

/* After a send moved the sender's read position to seq: publish the
 * sender's receipt {type:"receipt", chat, user, seq} to audience ("1,2,3",
 * RECEIPT_AUDIENCE in db.c; NULL or empty: nobody), so that the peers'
 * ticks on earlier messages turn at once. */
void readstate_sent(struct req *r, long long chat, long long seq, const char *audience);

/* The chat page (HTML): the "New messages" divider (first message by
 * someone else after read_seq gets "unread_first"), receipts on the
 * viewer's own messages ("receipt") and "reads" for the script (from
 * STMT_RECEIPTS' result, receipts), the peer's presence (from
 * STMT_PRESENCE_PEER's, presence), and the notification level choices.
 * The page sends both reads with its others. */
void readstate_decorate_page(struct req *r, struct json_object *model, struct json_object *chat,
			     struct json_object *messages, long long read_seq,
			     const PGresult *presence, const PGresult *receipts);

#endif
