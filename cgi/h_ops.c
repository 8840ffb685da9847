/* h_ops.c: what operators and their monitoring read: GET /healthz (the
 * database and the publisher answer) and GET /metrics (Prometheus text:
 * requests by route and status, latency histograms, publish failures,
 * live sockets). /metrics answers only loopback addresses (nginx allows
 * only those too). */
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "http.h"
#include "metrics.h"
#include "publish.h"
#include "router.h"
#include "view.h"

void h_healthz(struct req *r)
{
	PGresult *res;
	bool db_ok = db_run(r, STMT_HEALTH, NULL, 0, &res) == DB_OK;
	bool pub_ok = publish_status(r->w) >= 0;
	struct json_object *m = view_object(r);
	jset_str(m, "status", db_ok && pub_ok ? "ok" : "unavailable");
	jset_str(m, "database", db_ok ? "ok" : "unreachable");
	jset_str(m, "publisher", pub_ok ? "ok" : "unreachable");
	view_json(r, db_ok && pub_ok ? 200 : 503, m);
}

static bool loopback(const char *addr)
{
	return addr && (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0);
}

void h_metrics(struct req *r)
{
	if (!loopback(req_param(r, "REMOTE_ADDR"))) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	r->status = 200;
	resp_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	resp_header(r, "Cache-Control", "no-store");
	metrics_render(&r->body, router_label, publish_status(r->w));
}
