/* metrics.c: shared counters and histograms (see metrics.h). */
#include "metrics.h"

#include <stdint.h>
#include <sys/mman.h>

#define STATUS_CLASSES 5 /* 1xx..5xx */
static const double bucket_ms[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500};
#define BUCKETS (sizeof(bucket_ms) / sizeof(bucket_ms[0]))

struct route_stats {
	uint64_t by_class[STATUS_CLASSES];
	uint64_t buckets[BUCKETS + 1]; /* the last one is +Inf */
	uint64_t sum_us;
	uint64_t count;
};

struct shared {
	size_t n_routes;
	uint64_t publish_failures;
	struct route_stats routes[]; /* n_routes + 1 */
};

static struct shared *shm;

int metrics_init(size_t n_routes)
{
	size_t size = sizeof(struct shared) + (n_routes + 1) * sizeof(struct route_stats);
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	shm = p;
	shm->n_routes = n_routes;
	return 0;
}

static void add(uint64_t *v, uint64_t n) { __atomic_fetch_add(v, n, __ATOMIC_RELAXED); }

static uint64_t get(const uint64_t *v) { return __atomic_load_n(v, __ATOMIC_RELAXED); }

void metrics_request(size_t route, int status, double ms)
{
	if (shm == NULL)
		return;
	if (route > shm->n_routes)
		route = shm->n_routes;
	struct route_stats *s = &shm->routes[route];
	int cls = status / 100 - 1;
	if (cls >= 0 && cls < STATUS_CLASSES)
		add(&s->by_class[cls], 1);
	size_t b = 0;
	while (b < BUCKETS && ms > bucket_ms[b])
		b++;
	add(&s->buckets[b], 1);
	add(&s->sum_us, (uint64_t)(ms * 1000.0));
	add(&s->count, 1);
}

void metrics_publish_failed(void)
{
	if (shm != NULL)
		add(&shm->publish_failures, 1);
}

static void render_route(struct buf *out, const char *method, const char *name,
			 const struct route_stats *s)
{
	for (int c = 0; c < STATUS_CLASSES; c++) {
		uint64_t n = get(&s->by_class[c]);
		if (n)
			buf_printf(out, "messly_requests_total{method=\"%s\",route=\"%s\",status=\"%dxx\"} %llu\n",
				   method, name, c + 1, (unsigned long long)n);
	}
	uint64_t count = get(&s->count);
	if (count == 0)
		return;
	uint64_t cum = 0;
	for (size_t b = 0; b < BUCKETS; b++) {
		cum += get(&s->buckets[b]);
		buf_printf(out, "messly_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
			   method, name, bucket_ms[b] / 1000.0, (unsigned long long)cum);
	}
	cum += get(&s->buckets[BUCKETS]);
	buf_printf(out, "messly_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n",
		   method, name, (unsigned long long)cum);
	buf_printf(out, "messly_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", method, name,
		   (double)get(&s->sum_us) / 1e6);
	buf_printf(out, "messly_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n", method, name,
		   (unsigned long long)count);
}

void metrics_render(struct buf *out, void (*route_label)(size_t i, const char **method, const char **pattern),
		    long active_sockets)
{
	buf_puts(out, "# HELP messly_requests_total Requests answered, by route and status class.\n"
		      "# TYPE messly_requests_total counter\n"
		      "# HELP messly_request_duration_seconds Time from routing to the last byte.\n"
		      "# TYPE messly_request_duration_seconds histogram\n");
	for (size_t i = 0; shm != NULL && i <= shm->n_routes; i++) {
		const char *method = "", *pattern = "unmatched";
		if (i < shm->n_routes)
			route_label(i, &method, &pattern);
		render_route(out, method, pattern, &shm->routes[i]);
	}
	buf_printf(out, "# HELP messly_publish_failures_total Publishes to nchan that failed.\n"
			"# TYPE messly_publish_failures_total counter\n"
			"messly_publish_failures_total %llu\n",
		   (unsigned long long)(shm ? get(&shm->publish_failures) : 0));
	if (active_sockets >= 0)
		buf_printf(out, "# HELP messly_active_sockets Live subscriber connections (nchan).\n"
				"# TYPE messly_active_sockets gauge\n"
				"messly_active_sockets %ld\n", active_sockets);
}
