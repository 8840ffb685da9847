/* h_connect.c: the live event stream. The worker checks the session and
 * the Origin, then hands the connection to nginx's internal nchan
 * subscriber for the user's private channel (X-Accel-Redirect), so channel
 * ids never reach the client. */
#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "http.h"
#include "view.h"

void h_connect(struct req *r)
{
	if (r->me == NULL) {
		view_error(r, 401, "err.unauthorized", NULL);
		return;
	}
	const char *origin = req_param(r, "HTTP_ORIGIN");
	if (origin && *origin && strcmp(origin, http_origin(r)) != 0) {
		view_error(r, 403, "err.forbidden", NULL);
		return;
	}
	char user_ch[CHANNEL_ID_LEN + 1], session_ch[CHANNEL_ID_LEN + 1];
	auth_channel_id(r->app, r->me->id, user_ch);
	auth_session_channel_id(r->app, r->session_hash, session_ch);
	resp_header(r, "X-Accel-Redirect",
		    arena_printf(&r->arena, "/internal/sub/%s,%s", user_ch, session_ch));
	resp_header(r, "X-Accel-Buffering", "no");
	r->status = 200;
}
