/* http.c: reading requests from FastCGI and writing responses (see http.h). */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

const char *req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi->envp);
}

const char *req_arg(const struct req *r, const char *name) { return input_get(&r->query, name); }

const char *req_field(const struct req *r, const char *name) { return input_get(&r->form, name); }

const struct input_pair *req_field_pair(const struct req *r, const char *name)
{
	return input_find(&r->form, name);
}

const char *req_cookie(const struct req *r, const char *name)
{
	return input_get(&r->cookies, name);
}

int http_read_head(struct req *r)
{
	const char *m = req_param(r, "REQUEST_METHOD");
	const char *uri = req_param(r, "DOCUMENT_URI");
	if (uri == NULL)
		uri = req_param(r, "SCRIPT_NAME");
	if (m == NULL || uri == NULL || uri[0] != '/')
		return 400;
	r->method = m;
	r->uri_path = uri;
	if (strncmp(uri, "/api/", 5) == 0) {
		r->api = true;
		r->path = uri + 4;
	} else {
		r->path = uri;
	}
	const char *accept = req_param(r, "HTTP_ACCEPT");
	r->want_json = r->api || (accept && strstr(accept, "application/json") &&
				   !strstr(accept, "text/html"));
	const char *qs = req_param(r, "QUERY_STRING");
	if (qs && *qs && input_parse_urlencoded(&r->arena, qs, strlen(qs), &r->query) != INPUT_OK)
		return 400;
	const char *cookie = req_param(r, "HTTP_COOKIE");
	if (cookie)
		input_parse_cookies(&r->arena, cookie, &r->cookies);
	r->content_type = req_param(r, "CONTENT_TYPE");
	return 0;
}

static bool type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int http_read_body(struct req *r)
{
	const char *cl = req_param(r, "CONTENT_LENGTH");
	size_t cap = r->app->cfg.max_body;
	size_t len = 0;
	if (cl && *cl) {
		char *end;
		unsigned long long v = strtoull(cl, &end, 10);
		if (*end || cl[0] == '-')
			return 400;
		if (v > cap)
			return 413;
		len = (size_t)v;
	}
	/* Read one byte more than CONTENT_LENGTH said (a longer body is an
	 * error), or up to cap+1 bytes without one: the buffer is sized by the
	 * announced length, not by the cap (zeroing 64 KB for a 100-byte
	 * message cost more than parsing it). */
	size_t room = cl && *cl ? len + 1 : cap + 1;
	char *data = arena_alloc(&r->arena, room + 1);
	size_t got = 0;
	while (got < room) {
		int n = FCGX_GetStr(data + got, (int)(room - got), r->fcgi->in);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got > cap)
			return 413;
	}
	if (cl && *cl && got != len)
		return 400;
	data[got] = '\0';
	r->has_body = got > 0;
	if (got == 0)
		return 0;
	enum input_err e;
	if (type_is(r->content_type, "application/json"))
		e = input_parse_json(&r->arena, data, got, &r->form);
	else if (type_is(r->content_type, "application/x-www-form-urlencoded"))
		e = input_parse_urlencoded(&r->arena, data, got, &r->form);
	else
		return 415;
	if (e == INPUT_ETOOBIG)
		return 413;
	return e == INPUT_OK ? 0 : 400;
}

static bool header_safe(const char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n')
			return false;
	return true;
}

int resp_header(struct req *r, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value)) {
		log_error("refused a header with CR/LF: %s", log_safe(name));
		return -1;
	}
	buf_puts(&r->headers, name);
	buf_puts(&r->headers, ": ");
	buf_puts(&r->headers, value);
	buf_puts(&r->headers, "\r\n");
	return 0;
}

bool http_is_https(const struct req *r)
{
	const char *h = req_param(r, "HTTPS");
	return h && *h && strcmp(h, "off") != 0;
}

const char *http_origin(struct req *r)
{
	if (r->app->cfg.origin[0])
		return r->app->cfg.origin;
	const char *host = req_param(r, "HTTP_HOST");
	if (host == NULL)
		return "";
	return arena_printf(&r->arena, "%s://%s",
			    http_is_https(r) ? "https" : "http", host);
}

void resp_cookie(struct req *r, const char *name, const char *value, long max_age)
{
	char *c = arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name, value,
			       http_is_https(r) ? "; Secure" : "");
	if (max_age >= 0)
		c = arena_printf(&r->arena, "%s; Max-Age=%ld", c, max_age);
	resp_header(r, "Set-Cookie", c);
}

void resp_redirect(struct req *r, const char *location)
{
	if (location == NULL || location[0] != '/' || location[1] == '/' || location[1] == '\\')
		location = "/";
	r->status = 303;
	resp_header(r, "Location", location);
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return status >= 500 ? "Internal Server Error" : "Unknown";
	}
}

void resp_send(struct req *r)
{
	if (r->responded)
		return;
	r->responded = true;
	if (r->status == 0)
		r->status = 200;
	char line[128];
	int n = snprintf(line, sizeof(line), "Status: %d %s\r\n", r->status, reason(r->status));
	FCGX_PutStr(line, n, r->fcgi->out);
	if (r->headers.len)
		FCGX_PutStr(r->headers.data, (int)r->headers.len, r->fcgi->out);
	if (r->status != 204 && r->status != 304) {
		n = snprintf(line, sizeof(line), "Content-Length: %lu\r\n",
			     (unsigned long)r->body.len);
		FCGX_PutStr(line, n, r->fcgi->out);
	}
	FCGX_PutStr("\r\n", 2, r->fcgi->out);
	if (r->body.len && r->status != 204 && r->status != 304 &&
	    strcmp(r->method ? r->method : "", "HEAD") != 0)
		FCGX_PutStr(r->body.data, (int)r->body.len, r->fcgi->out);
}
