/* http.h: the HTTP edge. Reading a FastCGI request into struct req (with
 * size caps) and writing the response (status, headers with CR/LF refused,
 * cookies, body). */
#ifndef MESSLY_HTTP_H
#define MESSLY_HTTP_H

#include "app.h"

/* Fill method, paths, query, cookies, content type from the FastCGI
 * parameters. Returns 0 or an HTTP status (400) for a malformed request. */
int http_read_head(struct req *r);
/* Read and parse the body (urlencoded or JSON) with the configured cap.
 * Returns 0 or an HTTP status: 413 too large, 400 malformed, 415 other type. */
int http_read_body(struct req *r);

/* Add a header. Refuses (returns -1) names or values with CR, LF or NUL. */
int resp_header(struct req *r, const char *name, const char *value);
/* Set-Cookie with Path=/, HttpOnly, SameSite=Lax, Secure under HTTPS.
 * max_age < 0: session cookie; 0: delete. */
void resp_cookie(struct req *r, const char *name, const char *value, long max_age);
/* 303 See Other to a local path (must start with '/', not "//"). */
void resp_redirect(struct req *r, const char *location);
/* Write status, headers, Content-Length and body to the client. Once. */
void resp_send(struct req *r);

/* The request arrived over HTTPS. */
bool http_is_https(const struct req *r);
/* The server's own origin ("http://host:port"): configured, else from Host. */
const char *http_origin(struct req *r);

#endif
