/* handlers.h: every route handler, one file per feature:
 * h_account.c (register, login, logout, me, language), h_users.c (finding
 * people), h_chats.c (chat list, direct chats, messages, events, read
 * position), h_connect.c (the live event stream), h_files.c (uploads,
 * downloads, the Files view), h_avatars.c (user and group pictures). */
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

/* h_files.c */
void h_files_upload(struct req *r);
void h_files_list(struct req *r);
void h_file_page(struct req *r);
void h_file_thumb(struct req *r);
void h_file_view(struct req *r);
void h_file_original(struct req *r);

/* h_avatars.c */
void h_avatar_put(struct req *r);
void h_avatar_delete(struct req *r);
void h_avatar_page(struct req *r);
void h_chat_avatar_put(struct req *r);
void h_avatar_get(struct req *r);

#endif
