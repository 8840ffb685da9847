/* handlers.h: every route handler, one file per feature:
 * h_account.c (register, login, logout, me, language), h_users.c (finding
 * people), h_chats.c (chat list, direct chats, messages, events, read
 * position), h_connect.c (the live event stream), h_readstate.c (receipts,
 * typing, notification levels, privacy), presence.c (presence hooks and
 * heartbeat), h_search.c (full-text search). */
#ifndef MESSLY_HANDLERS_H
#define MESSLY_HANDLERS_H

#include "app.h"

void h_home(struct req *r);
void h_register_form(struct req *r);
void h_register(struct req *r);
void h_login_form(struct req *r);
void h_login(struct req *r);
void h_logout(struct req *r);
void h_me(struct req *r);
void h_set_lang(struct req *r);

void h_users_search(struct req *r);

void h_chats_list(struct req *r);
void h_chat_open(struct req *r);
void h_chat_get(struct req *r);
void h_messages_list(struct req *r);
void h_message_send(struct req *r);
void h_events(struct req *r);
void h_read(struct req *r);

void h_connect(struct req *r);

/* read state, typing, presence, notifications, search: h_readstate.c,
 * presence.c, h_search.c */
void h_readers(struct req *r);
void h_typing(struct req *r);
void h_notify(struct req *r);
void h_privacy_get(struct req *r);
void h_privacy_set(struct req *r);
void h_presence_ping(struct req *r);
void h_presence_sub(struct req *r);
void h_presence_unsub(struct req *r);
void h_search(struct req *r);

#endif
