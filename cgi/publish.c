/* publish.c: the nchan publisher client (see publish.h): HTTP/1.1 over one
 * keep-alive unix-socket connection per worker, written by hand. libcurl
 * cost about 80,000 instructions a publish (its multi interface, option
 * bookkeeping, several polls); a send publishes at least once, so that was
 * a seventh of a send's worker time. What nchan's publisher speaks is
 * small: a request with Content-Length, an answer with a status line and a
 * Content-Length (or chunked) body. */
#include "publish.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "log.h"
#include "metrics.h"

#define CHANNELS_PER_POST 255
/* An answer's head and the body we keep (the status page) at most. */
#define HEAD_MAX 8192
#define BODY_KEEP 65536
/* A publish that takes longer than this failed (nginx is stuck). */
#define IO_TIMEOUT_MS 3000

struct publisher {
	char *socket_path;
	int fd; /* the keep-alive connection, or -1 */
	/* bytes read from it not yet consumed (an answer's head arrives with
	 * part of its body) */
	char in[HEAD_MAX];
	size_t in_len;
};

/* One answer: its status and (when asked for) its body. */
struct answer {
	int status;
	bool close; /* "Connection: close": the server ends the connection */
	struct buf *body;
};

struct publisher *publisher_new(const char *socket_path)
{
	struct publisher *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->fd = -1;
	p->socket_path = strdup(socket_path);
	if (p->socket_path == NULL || strlen(socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		publisher_free(p);
		return NULL;
	}
	return p;
}

static void disconnect(struct publisher *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->in_len = 0;
}

void publisher_free(struct publisher *p)
{
	if (p == NULL)
		return;
	disconnect(p);
	free(p->socket_path);
	free(p);
}

static int connect_unix(struct publisher *p)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* a full listen backlog makes connect() wait: bounded like the I/O */
	struct timeval tv = {IO_TIMEOUT_MS / 1000, (IO_TIMEOUT_MS % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, p->socket_path, strlen(p->socket_path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	p->fd = fd;
	p->in_len = 0;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events, at most until deadline. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd pfd = {.fd = fd, .events = events};
		int n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* Write the whole request (head, then body). */
static int send_all(struct publisher *p, const char *head, size_t hlen, const char *body,
		    size_t blen, long long deadline)
{
	struct iovec iov[2] = {{(void *)head, hlen}, {(void *)body, blen}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = blen ? 2 : 1};
	while (msg.msg_iovlen > 0) {
		ssize_t n = sendmsg(p->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(p->fd, POLLOUT, deadline) == 0)
				continue;
			return -1;
		}
		size_t left = (size_t)n;
		while (msg.msg_iovlen > 0 && left >= msg.msg_iov[0].iov_len) {
			left -= msg.msg_iov[0].iov_len;
			msg.msg_iov++;
			msg.msg_iovlen--;
		}
		if (msg.msg_iovlen > 0) {
			msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + left;
			msg.msg_iov[0].iov_len -= left;
		}
	}
	return 0;
}

/* Read more bytes into p->in; 0 at the end of the stream, -1 on error. */
static ssize_t fill(struct publisher *p, long long deadline)
{
	if (p->in_len == sizeof(p->in)) {
		errno = EMSGSIZE;
		return -1;
	}
	for (;;) {
		ssize_t n = recv(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len, MSG_DONTWAIT);
		if (n >= 0) {
			p->in_len += (size_t)n;
			return n;
		}
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) || wait_fd(p->fd, POLLIN, deadline) != 0)
			return -1;
	}
}

/* Take n bytes from the front of p->in (into body when given). */
static void consume(struct publisher *p, size_t n, struct buf *body)
{
	if (body && body->len < BODY_KEEP)
		buf_append(body, p->in, n);
	memmove(p->in, p->in + n, p->in_len - n);
	p->in_len -= n;
}

/* Read and consume exactly n body bytes. */
static int read_exact(struct publisher *p, size_t n, struct buf *body, long long deadline)
{
	while (n > 0) {
		if (p->in_len == 0 && fill(p, deadline) <= 0)
			return -1;
		size_t take = p->in_len < n ? p->in_len : n;
		consume(p, take, body);
		n -= take;
	}
	return 0;
}

/* The length of the line at the front of p->in including its CRLF, reading
 * more as needed; -1 when it does not come. */
static ssize_t line_end(struct publisher *p, long long deadline)
{
	for (;;) {
		char *nl = memchr(p->in, '\n', p->in_len);
		if (nl)
			return nl - p->in + 1;
		if (fill(p, deadline) <= 0)
			return -1;
	}
}

/* A chunked body: size lines, data, the final zero chunk and trailers. */
static int read_chunked(struct publisher *p, struct buf *body, long long deadline)
{
	for (;;) {
		ssize_t n = line_end(p, deadline);
		if (n < 0)
			return -1;
		char *end;
		unsigned long size = strtoul(p->in, &end, 16);
		if (end == p->in || size > (1UL << 30))
			return -1;
		consume(p, (size_t)n, NULL);
		if (size == 0)
			break;
		if (read_exact(p, size, body, deadline) != 0 || read_exact(p, 2, NULL, deadline) != 0)
			return -1;
	}
	for (;;) { /* trailers up to the empty line */
		ssize_t n = line_end(p, deadline);
		if (n < 0)
			return -1;
		bool empty = n <= 2;
		consume(p, (size_t)n, NULL);
		if (empty)
			return 0;
	}
}

/* The value of header name in head (NUL-terminated, lines end in CRLF). */
static const char *header_value(const char *head, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l, "\r\n")) {
		l += 2;
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			l += n + 1;
			while (*l == ' ' || *l == '\t')
				l++;
			return l;
		}
	}
	return NULL;
}

/* Read one answer: status line, headers, then the body by Content-Length,
 * chunked, or up to the end of the stream. got_any tells a stale
 * keep-alive connection (closed before any byte) from a failed answer. */
static int read_answer(struct publisher *p, const char *method, struct answer *a, bool *got_any,
		       long long deadline)
{
	char *end;
	*got_any = p->in_len > 0;
	while ((end = memmem(p->in, p->in_len, "\r\n\r\n", 4)) == NULL) {
		ssize_t n = fill(p, deadline);
		if (n <= 0)
			return -1;
		*got_any = true;
	}
	size_t head_len = (size_t)(end - p->in) + 4;
	char head[HEAD_MAX + 1];
	memcpy(head, p->in, head_len - 2);
	head[head_len - 2] = '\0';
	consume(p, head_len, NULL);
	if (strncmp(head, "HTTP/1.", 7) != 0 || strlen(head) < 12)
		return -1;
	a->status = atoi(head + 9);
	const char *conn = header_value(head, "Connection");
	a->close = conn && strncasecmp(conn, "close", 5) == 0;
	if (strcmp(method, "HEAD") == 0 || a->status == 204 || a->status == 304 || a->status < 200)
		return 0;
	const char *te = header_value(head, "Transfer-Encoding");
	if (te && strncasecmp(te, "chunked", 7) == 0)
		return read_chunked(p, a->body, deadline);
	const char *cl = header_value(head, "Content-Length");
	if (cl)
		return read_exact(p, (size_t)strtoull(cl, NULL, 10), a->body, deadline);
	a->close = true; /* the body ends with the connection */
	for (;;) {
		consume(p, p->in_len, a->body);
		ssize_t n = fill(p, deadline);
		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
	}
}

/* One request on the kept connection, connecting first when there is none.
 * A kept connection the server closed while idle (nginx's keepalive
 * timeout) fails before any byte of an answer: then once more on a new one,
 * as any HTTP client does. */
static int exchange(struct publisher *p, const char *method, const char *path, const char *body,
		    size_t len, struct answer *a)
{
	/* the path holds up to 255 channel ids: the head is built to size */
	struct buf head = BUF_INIT;
	buf_printf(&head, "%s %s HTTP/1.1\r\nHost: localhost\r\n", method, path);
	if (body) {
		char cl[32];
		snprintf(cl, sizeof(cl), "%zu", len);
		buf_puts(&head, "Content-Type: application/json\r\nContent-Length: ");
		buf_puts(&head, cl);
		buf_puts(&head, "\r\n");
	}
	buf_puts(&head, "\r\n");
	long long deadline = now_ms() + IO_TIMEOUT_MS;
	int rc = -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		bool reused = p->fd >= 0, got_any = false;
		if (!reused && connect_unix(p) != 0)
			break;
		if (a->body)
			buf_reset(a->body);
		if (send_all(p, head.data, head.len, body, body ? len : 0, deadline) == 0 &&
		    read_answer(p, method, a, &got_any, deadline) == 0) {
			if (a->close)
				disconnect(p);
			rc = 0;
			break;
		}
		disconnect(p);
		if (!reused || got_any)
			break;
	}
	buf_free(&head);
	return rc;
}

/* One request to /pub/<channels>: method "POST" with a body or "DELETE". */
static int pub_request(struct publisher *p, const char *method, const char *channels,
		       const char *body, size_t len)
{
	struct buf path = BUF_INIT;
	buf_puts(&path, "/pub/");
	buf_puts(&path, channels);
	struct answer a = {0};
	int rc = exchange(p, method, path.data, body, len, &a);
	buf_free(&path);
	if (rc != 0) {
		log_error("publish %s: %s", method, strerror(errno));
		metrics_publish_failed();
		return -1;
	}
	if (a.status >= 300 && !(strcmp(method, "DELETE") == 0 && a.status == 404)) {
		log_error("publish %s: nchan answered %d", method, a.status);
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

long publish_status(struct worker *w)
{
	if (w->pub == NULL)
		return -1;
	struct buf body = BUF_INIT;
	struct answer a = {.body = &body};
	long subscribers = -1;
	if (exchange(w->pub, "GET", "/nchan_status", NULL, 0, &a) == 0 && a.status == 200 &&
	    body.data != NULL) {
		const char *at = strstr(body.data, "subscribers: ");
		if (at != NULL)
			subscribers = strtol(at + 14, NULL, 10);
	}
	buf_free(&body);
	return subscribers;
}
