/* test_ratelimit.c: the client address keys behind the per-address limits
 * (cgi/ratelimit.c): canonical text, IPv6 reduced to its /64, exemptions. */
#include <stdlib.h>

#include "ratelimit.h"
#include "unit.h"

static struct app app;

/* The key for a request from addr (NULL: no REMOTE_ADDR). */
static const char *key_for(struct req *r, FCGX_Request *f, const char *addr, char kind)
{
	static char env[128];
	static char *envp[2];
	envp[0] = NULL;
	if (addr) {
		snprintf(env, sizeof(env), "REMOTE_ADDR=%s", addr);
		envp[0] = env;
	}
	envp[1] = NULL;
	f->envp = envp;
	r->fcgi = f;
	r->app = &app;
	return limit_addr_key(r, kind);
}

TEST(ipv4)
{
	struct req r = {0};
	FCGX_Request f = {0};
	arena_init(&r.arena);
	app.cfg.limit_exempt = "";
	CHECK_STR(key_for(&r, &f, "192.0.2.7", 'a'), "a:192.0.2.7");
	CHECK_STR(key_for(&r, &f, "192.0.2.7", 'r'), "r:192.0.2.7");
	arena_reset(&r.arena);
}

TEST(ipv6_per_64)
{
	struct req r = {0};
	FCGX_Request f = {0};
	arena_init(&r.arena);
	app.cfg.limit_exempt = "";
	CHECK_STR(key_for(&r, &f, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", 'a'), "a:2001:db8:1:2::/64");
	CHECK_STR(key_for(&r, &f, "2001:DB8:1:2::1", 'a'), "a:2001:db8:1:2::/64");
	CHECK_STR(key_for(&r, &f, "2001:db8:1:3::1", 'a'), "a:2001:db8:1:3::/64");
	arena_reset(&r.arena);
}

TEST(refused_and_exempt)
{
	struct req r = {0};
	FCGX_Request f = {0};
	arena_init(&r.arena);
	app.cfg.limit_exempt = " 127.0.0.1, 10.0.0.9 ";
	CHECK(key_for(&r, &f, "127.0.0.1", 'a') == NULL);
	CHECK(key_for(&r, &f, "10.0.0.9", 'a') == NULL);
	CHECK_STR(key_for(&r, &f, "127.0.0.2", 'a'), "a:127.0.0.2");
	CHECK_STR(key_for(&r, &f, "10.0.0.90", 'a'), "a:10.0.0.90");
	CHECK(key_for(&r, &f, NULL, 'a') == NULL);
	CHECK(key_for(&r, &f, "", 'a') == NULL);
	CHECK(key_for(&r, &f, "not an address", 'a') == NULL);
	CHECK(key_for(&r, &f, "1.2.3.4\r\nX: y", 'a') == NULL);
	arena_reset(&r.arena);
}

int main(void)
{
	RUN(ipv4);
	RUN(ipv6_per_64);
	RUN(refused_and_exempt);
	return unit_summary();
}
