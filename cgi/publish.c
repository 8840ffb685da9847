/* publish.c: the nchan publisher client (see publish.h). */
#include "publish.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "buf.h"
#include "log.h"
#include "metrics.h"

#define CHANNELS_PER_POST 255

struct publisher {
	CURL *curl;
	struct curl_slist *headers;
	char *socket_path;
};

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

struct publisher *publisher_new(const char *socket_path)
{
	struct publisher *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->socket_path = strdup(socket_path);
	p->curl = curl_easy_init();
	p->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (p->socket_path == NULL || p->curl == NULL || p->headers == NULL) {
		publisher_free(p);
		return NULL;
	}
	curl_easy_setopt(p->curl, CURLOPT_UNIX_SOCKET_PATH, p->socket_path);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	return p;
}

void publisher_free(struct publisher *p)
{
	if (p == NULL)
		return;
	if (p->curl)
		curl_easy_cleanup(p->curl);
	curl_slist_free_all(p->headers);
	free(p->socket_path);
	free(p);
}

/* One request to /pub/<channels>; method "POST" with a body or "DELETE". */
static int pub_request(struct publisher *p, const char *method, const char *channels,
		       const char *body, size_t len)
{
	struct buf url = BUF_INIT;
	buf_puts(&url, "http://localhost/pub/");
	buf_puts(&url, channels);
	CURL *c = p->curl;
	curl_easy_setopt(c, CURLOPT_URL, url.data);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, p->headers);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	} else {
		curl_easy_setopt(c, CURLOPT_POST, 0L);
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	buf_free(&url);
	if (rc != CURLE_OK) {
		log_error("publish %s: %s", method, curl_easy_strerror(rc));
		metrics_publish_failed();
		return -1;
	}
	if (status >= 300 && !(strcmp(method, "DELETE") == 0 && status == 404)) {
		log_error("publish %s: nchan answered %ld", method, status);
		metrics_publish_failed();
		return -1;
	}
	return 0;
}

int publish_to_users(struct worker *w, const int64_t *users, size_t n, const char *json,
		     size_t len)
{
	if (w->pub == NULL)
		return -1;
	int rc = 0;
	struct buf ids = BUF_INIT;
	for (size_t i = 0; i < n; i += CHANNELS_PER_POST) {
		buf_reset(&ids);
		size_t end = i + CHANNELS_PER_POST < n ? i + CHANNELS_PER_POST : n;
		for (size_t j = i; j < end; j++) {
			char ch[CHANNEL_ID_LEN + 1];
			auth_channel_id(w->app, users[j], ch);
			if (j > i)
				buf_putc(&ids, ',');
			buf_puts(&ids, ch);
		}
		if (pub_request(w->pub, "POST", ids.data, json, len) != 0)
			rc = -1;
	}
	buf_free(&ids);
	return rc;
}

int publish_close_user(struct worker *w, int64_t user)
{
	if (w->pub == NULL)
		return -1;
	char ch[CHANNEL_ID_LEN + 1];
	auth_channel_id(w->app, user, ch);
	return pub_request(w->pub, "DELETE", ch, NULL, 0);
}

int publish_close_session(struct worker *w, const uint8_t session_hash[32])
{
	if (w->pub == NULL)
		return -1;
	char ch[CHANNEL_ID_LEN + 1];
	auth_session_channel_id(w->app, session_hash, ch);
	return pub_request(w->pub, "DELETE", ch, NULL, 0);
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	if (b->len < 65536)
		buf_append(b, p, size * n);
	return size * n;
}

long publish_status(struct worker *w)
{
	if (w->pub == NULL)
		return -1;
	CURL *c = w->pub->curl;
	struct buf body = BUF_INIT;
	curl_easy_setopt(c, CURLOPT_URL, "http://localhost/nchan_status");
	curl_easy_setopt(c, CURLOPT_POST, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	long subscribers = -1;
	const char *at = body.data ? strstr(body.data, "subscribers: ") : NULL;
	if (rc == CURLE_OK && status == 200 && at != NULL)
		subscribers = strtol(at + 14, NULL, 10);
	buf_free(&body);
	return subscribers;
}
