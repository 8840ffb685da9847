/* loadgen.c: the benchmark's HTTP/1.1 load generator. One thread, epoll,
 * keep-alive connections to 127.0.0.1, one request in flight per
 * connection. Requests come from a file of raw HTTP requests; each
 * connection walks them in turn. Closed loop by default (saturation);
 * with -r RATE requests are scheduled at that total rate and latency is
 * counted from the scheduled time (no coordinated omission).
 *
 *   loadgen -p PORT -c CONNS -d SECONDS [-w WARMUP] [-r RATE] [-s SEED] -f FILE
 *
 * FILE: records "<length>\n<raw request bytes>". In a request, the 16
 * characters "################" are replaced by a hex number unique to the
 * run (seed << 32 | counter), e.g. for client_id, so every send is new.
 * After the run, requests in flight get up to 10 s more to finish (their
 * latency counts; requests/s counts only what finished in time); one still
 * unfinished then counts as "unfinished", with its time so far as latency.
 * Output: one JSON object on stdout (counts, requests/s, latency
 * percentiles in ms, statuses, and the generator's own CPU time). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MARK "################"
#define MARK_LEN 16
#define MAX_CONNS 4096

struct tmpl {
	char *data;
	size_t len;
	long mark; /* offset of MARK or -1 */
};

struct conn {
	int fd;
	int idx;           /* connection number */
	unsigned long seq; /* requests started on this connection */
	char *out;         /* request being written */
	size_t out_len, out_off;
	char *in;
	size_t in_len, in_cap;
	int busy;          /* a request is in flight */
	double start;      /* when it started (or was scheduled) */
	/* parsed response head */
	int head_done, status, chunked, close_after;
	size_t body_start, content_length, chunk_pos;
};

static struct tmpl *tmpls;
static size_t ntmpl;
static int port = 0;
static double *lat;
static size_t nlat, lat_cap;
static unsigned long long counter, seed;
static unsigned long status_count[600], errors, done_total, reconnects, in_time, ok_in_time, unfinished;
static double t_end;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *msg)
{
	fprintf(stderr, "loadgen: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (q == NULL) {
		fprintf(stderr, "loadgen: out of memory\n");
		exit(1);
	}
	return q;
}

static void load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		die(path);
	size_t cap = 0;
	for (;;) {
		size_t len;
		if (fscanf(f, "%zu", &len) != 1)
			break;
		if (fgetc(f) != '\n' || len == 0 || len > (1u << 24)) {
			fprintf(stderr, "loadgen: bad record in %s\n", path);
			exit(1);
		}
		if (ntmpl == cap) {
			cap = cap ? cap * 2 : 64;
			tmpls = xrealloc(tmpls, cap * sizeof(*tmpls));
		}
		struct tmpl *t = &tmpls[ntmpl++];
		t->data = xrealloc(NULL, len + 1);
		if (fread(t->data, 1, len, f) != len) {
			fprintf(stderr, "loadgen: short record in %s\n", path);
			exit(1);
		}
		t->data[len] = '\0';
		t->len = len;
		char *m = memmem(t->data, len, MARK, MARK_LEN);
		t->mark = m ? m - t->data : -1;
	}
	fclose(f);
	if (ntmpl == 0) {
		fprintf(stderr, "loadgen: no requests in %s\n", path);
		exit(1);
	}
}

static int connect_one(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
		die("connect");
	return fd;
}

static int conns_n;
static struct conn *conns;
static int ep;

static void arm(struct conn *c, uint32_t ev)
{
	struct epoll_event e = {.events = ev, .data.ptr = c};
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e) < 0)
		die("epoll_ctl");
}

static void reopen(struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = connect_one();
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) < 0)
		die("epoll_ctl");
	reconnects++;
}

static void start_request(struct conn *c, double t)
{
	const struct tmpl *tp = &tmpls[(c->idx + c->seq * (unsigned long)conns_n) % ntmpl];
	c->seq++;
	c->out = xrealloc(c->out, tp->len);
	memcpy(c->out, tp->data, tp->len);
	if (tp->mark >= 0) {
		char hex[MARK_LEN + 1];
		snprintf(hex, sizeof(hex), "%016llx", (seed << 32) | counter++);
		memcpy(c->out + tp->mark, hex, MARK_LEN);
	}
	c->out_len = tp->len;
	c->out_off = 0;
	c->in_len = 0;
	c->head_done = 0;
	c->busy = 1;
	c->start = t;
	arm(c, EPOLLIN | EPOLLOUT);
}

static void record(double t, int status, int warm)
{
	done_total++;
	if (!warm)
		return;
	if (now() <= t_end) {
		in_time++;
		ok_in_time += status >= 200 && status < 300;
	}
	if (status > 0 && status < 600)
		status_count[status]++;
	else
		errors++;
	if (nlat == lat_cap) {
		lat_cap = lat_cap ? lat_cap * 2 : 1 << 16;
		lat = xrealloc(lat, lat_cap * sizeof(*lat));
	}
	lat[nlat++] = t;
}

/* Parse what arrived; 1 when the whole response is in, 0 when more is
 * needed, -1 on a malformed response. */
static int parse(struct conn *c)
{
	if (!c->head_done) {
		char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
		if (end == NULL)
			return 0;
		*end = '\0';
		if (sscanf(c->in, "HTTP/1.%*d %d", &c->status) != 1)
			return -1;
		c->head_done = 1;
		c->body_start = (size_t)(end - c->in) + 4;
		c->chunked = strcasestr(c->in, "\r\nTransfer-Encoding: chunked") != NULL;
		c->close_after = strcasestr(c->in, "\r\nConnection: close") != NULL;
		char *cl = strcasestr(c->in, "\r\nContent-Length:");
		c->content_length = cl ? strtoul(cl + 17, NULL, 10) : 0;
		c->chunk_pos = c->body_start;
		*end = '\r';
	}
	if (!c->chunked)
		return c->in_len >= c->body_start + c->content_length;
	for (;;) {
		char *line = c->in + c->chunk_pos;
		char *eol = memmem(line, c->in_len - c->chunk_pos, "\r\n", 2);
		if (eol == NULL)
			return 0;
		size_t n = strtoul(line, NULL, 16);
		size_t need = (size_t)(eol - c->in) + 2 + n + 2;
		if (c->in_len < need)
			return 0;
		c->chunk_pos = need;
		if (n == 0)
			return 1;
	}
}

static void on_readable(struct conn *c, double warm_until, double *t_now)
{
	for (;;) {
		if (c->in_cap - c->in_len < 65536) {
			c->in_cap = c->in_cap ? c->in_cap * 2 : 131072;
			c->in = xrealloc(c->in, c->in_cap);
		}
		ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len - 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			if (c->busy) {
				*t_now = now();
				record(*t_now - c->start, -1, c->start >= warm_until);
				c->busy = 0;
			}
			reopen(c);
			return;
		}
		c->in_len += (size_t)n;
		c->in[c->in_len] = '\0';
		if (!c->busy)
			continue;
		int p = parse(c);
		if (p == 0)
			continue;
		*t_now = now();
		record(*t_now - c->start, p < 0 ? -1 : c->status, c->start >= warm_until);
		c->busy = 0;
		arm(c, EPOLLIN);
		if (p < 0 || c->close_after)
			reopen(c);
		return;
	}
}

static void on_writable(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			reopen(c);
			c->busy = 0;
			errors++;
			return;
		}
		c->out_off += (size_t)n;
	}
	arm(c, EPOLLIN);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double p)
{
	if (nlat == 0)
		return 0;
	size_t i = (size_t)(p * (double)(nlat - 1) + 0.5);
	return lat[i] * 1000;
}

int main(int argc, char **argv)
{
	double duration = 10, warmup = 1, rate = 0;
	const char *file = NULL;
	int opt;
	conns_n = 8;
	seed = (unsigned long long)time(NULL) & 0xffffffffu;
	while ((opt = getopt(argc, argv, "p:c:d:w:r:f:s:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'c': conns_n = atoi(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'f': file = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 10) & 0xffffffffu; break;
		default:
			fprintf(stderr, "usage: loadgen -p PORT -c CONNS -d SECS [-w WARMUP] [-r RATE] [-s SEED] -f FILE\n");
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || file == NULL || conns_n < 1 || conns_n > MAX_CONNS ||
	    duration <= 0) {
		fprintf(stderr, "loadgen: bad arguments\n");
		return 2;
	}
	load_file(file);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	conns = calloc((size_t)conns_n, sizeof(*conns));
	if (conns == NULL)
		die("calloc");
	for (int i = 0; i < conns_n; i++) {
		conns[i].idx = i;
		conns[i].fd = connect_one();
		struct epoll_event e = {.events = EPOLLIN, .data.ptr = &conns[i]};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &e) < 0)
			die("epoll_ctl");
	}
	double t0 = now(), warm_until = t0 + warmup;
	t_end = warm_until + duration;
	/* rate mode: request k (over all connections) is due at t0 + k / rate */
	unsigned long long scheduled = 0;
	double t = t0;
	struct epoll_event evs[256];
	while (t < t_end) {
		int timeout = 100;
		if (rate > 0) {
			for (;;) {
				double due = t0 + (double)scheduled / rate;
				if (due > t) {
					int ms = (int)((due - t) * 1000);
					timeout = ms < timeout ? ms : timeout;
					break;
				}
				struct conn *idle = NULL;
				for (int i = 0; i < conns_n; i++) {
					struct conn *c = &conns[(scheduled + (unsigned)i) % (unsigned)conns_n];
					if (!c->busy) {
						idle = c;
						break;
					}
				}
				if (idle == NULL) {
					timeout = 1;
					break;
				}
				start_request(idle, due);
				scheduled++;
			}
		} else {
			for (int i = 0; i < conns_n; i++)
				if (!conns[i].busy)
					start_request(&conns[i], t);
		}
		int n = epoll_wait(ep, evs, 256, timeout);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		t = now();
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				on_readable(c, warm_until, &t);
			if (c->busy && (evs[i].events & EPOLLOUT))
				on_writable(c);
		}
	}
	/* drain: no new requests; those in flight may finish */
	for (;;) {
		int busy = 0;
		for (int i = 0; i < conns_n; i++)
			busy += conns[i].busy;
		if (busy == 0 || t > t_end + 10)
			break;
		int n = epoll_wait(ep, evs, 256, 100);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		t = now();
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				on_readable(c, warm_until, &t);
			if (c->busy && (evs[i].events & EPOLLOUT))
				on_writable(c);
		}
	}
	for (int i = 0; i < conns_n; i++) {
		if (conns[i].busy && conns[i].start >= warm_until) {
			unfinished++;
			done_total--; /* record() counts it once more */
			record(t - conns[i].start, -1, 1);
			errors--;
		}
	}
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	unsigned long ok = 0;
	for (int s = 200; s < 300; s++)
		ok += status_count[s];
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
		     ru.ru_stime.tv_usec / 1e6;
	printf("{\"requests\": %zu, \"ok\": %lu, \"errors\": %lu, \"reconnects\": %lu,"
	       " \"unfinished\": %lu, \"seconds\": %.3f, \"rps\": %.1f, \"ok_rps\": %.1f,"
	       " \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f,"
	       " \"cpu_seconds\": %.3f, \"wall_seconds\": %.3f, \"status\": {",
	       nlat, ok, errors, reconnects, unfinished, duration, in_time / duration,
	       ok_in_time / duration, pct(0.5),
	       pct(0.9), pct(0.99), nlat ? lat[nlat - 1] * 1000 : 0.0, cpu, now() - t0);
	int first = 1;
	for (int s = 0; s < 600; s++) {
		if (status_count[s] == 0)
			continue;
		printf("%s\"%d\": %lu", first ? "" : ", ", s, status_count[s]);
		first = 0;
	}
	printf("}}\n");
	return 0;
}
