/* handlers.h: every route handler, one file per feature:
 * h_account.c (register, login, logout, me, language), h_users.c (finding
 * people), h_chats.c (chat list, direct chats, messages, events, read
 * position), h_connect.c (the live event stream), h_groups.c (group chats
 * and invite links), h_profile.c (profiles,
 * profile and preferences settings), h_security.c (password, email,
 * sessions, account deletion), h_blocks.c (blocking), h_export.c (data
 * export), h_files.c (uploads, downloads, the Files view), h_avatars.c
 * (user and group pictures), h_readstate.c (receipts, typing,
 * notification levels, privacy), presence.c (presence hooks and
 * heartbeat), h_search.c (full-text search), h_admin.c (the admin panel). */
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

void h_group_new_form(struct req *r);
void h_group_create(struct req *r); /* POST /chats with kind "group" */
void h_group_info(struct req *r);
void h_group_edit(struct req *r);
void h_group_add(struct req *r);
void h_group_remove(struct req *r);
void h_group_set_role(struct req *r);
void h_group_transfer(struct req *r);
void h_group_leave(struct req *r);
void h_group_delete(struct req *r);
void h_invite_create(struct req *r);
void h_invites_list(struct req *r);
void h_invite_revoke(struct req *r);
void h_invite_show(struct req *r);
void h_invite_join(struct req *r);
/* Adds a group's description, the viewer's role, member_count and members
 * to its chat object (nothing for a direct chat). False after answering. */
bool group_add_info(struct req *r, long long chat_id, struct json_object *chat);
/* profiles and account settings */
void h_profile(struct req *r);
void h_me_update(struct req *r);
void h_settings(struct req *r);
void h_settings_profile(struct req *r);
void h_settings_preferences(struct req *r);
void h_settings_account(struct req *r);
void h_password_change(struct req *r);
void h_email_change(struct req *r);
void h_sessions(struct req *r);
void h_session_end(struct req *r);
void h_sessions_end_others(struct req *r);
void h_account_delete(struct req *r);
void h_block(struct req *r);
void h_unblock(struct req *r);
void h_blocks_list(struct req *r);
void h_export(struct req *r);
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
/* message actions: edit, delete, reactions, reply (h_messages.c) */
#define TEXT_MAX_CHARS 4000
/* \r\n and lone \r become \n; surrounding whitespace is dropped (h_chats.c). */
char *normalize_text(struct req *r, const char *s);
void h_message_page(struct req *r);
void h_message_edit(struct req *r);
void h_message_delete(struct req *r);
void h_reaction_put(struct req *r);
void h_reaction_delete(struct req *r);
void h_reaction_toggle(struct req *r);
void h_reactions_list(struct req *r);
void h_message_forward(struct req *r);
void h_pin(struct req *r);
void h_unpin(struct req *r);
void h_pins(struct req *r);
/* The chat page's pinned bar from STMT_PINS's result (sent with the
 * page's other reads): pins [{id, seq, preview, href}] newest first and
 * has_pins into model. */
void pins_add(struct req *r, struct json_object *model, long long chat, const PGresult *res);
/* h_mentions.c */
void h_mention_candidates(struct req *r);

/* h_ops.c */
void h_healthz(struct req *r);
void h_metrics(struct req *r);
/* h_admin.c: the admin panel */
void h_admin_dashboard(struct req *r);
void h_admin_users(struct req *r);
void h_admin_user(struct req *r);
void h_admin_deactivate(struct req *r);
void h_admin_reactivate(struct req *r);
void h_admin_promote(struct req *r);
void h_admin_demote(struct req *r);
void h_admin_sessions_end(struct req *r);
void h_admin_password(struct req *r);
void h_admin_delete(struct req *r);
void h_admin_audit(struct req *r);
void h_admin_chats(struct req *r);
void h_admin_chat(struct req *r);
void h_admin_chat_rename(struct req *r);
void h_admin_chat_remove(struct req *r);
void h_admin_chat_transfer(struct req *r);
void h_admin_chat_delete(struct req *r);
void h_admin_settings(struct req *r);
void h_admin_settings_set(struct req *r);
void h_admin_signup_link(struct req *r);

#endif
