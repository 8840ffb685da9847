/* test_images.c: the MagickWand pipeline under the project's policy (the
 * Makefile sets MAGICK_CONFIGURE_PATH): real images made by
 * tests/tools/mkimage, auto-orientation, no EXIF/GPS in any output, limits,
 * the refusal when the policy is not in force, avatars. Timings are
 * printed (measured, not asserted). */
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "images.h"
#include "unit.h"

static char dir[] = "/tmp/messly-img-XXXXXX";
static char out[4096];

static const char *path(const char *name)
{
	static char p[8][512];
	static int slot;
	slot = (slot + 1) % 8;
	snprintf(p[slot], sizeof(p[slot]), "%s/%s", dir, name);
	return p[slot];
}

static int tool(const char *args)
{
	const char *tools = getenv("MESSLY_TOOLS");
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s/mkimage %s", tools ? tools : "build/test/tools", args);
	FILE *f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	return pclose(f);
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* CPU seconds used by finished children so far (load-independent). */
static double child_cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

TEST(refused_without_the_policy)
{
	pid_t pid = fork();
	if (pid == 0) {
		unsetenv("MAGICK_CONFIGURE_PATH"); /* Debian's policy only */
		_exit(images_init() ? 1 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(policy_in_force)
{
	CHECK(images_init());
	CHECK(images_ready());
}

TEST(photo_oriented_and_stripped)
{
	char args[1024];
	snprintf(args, sizeof(args), "jpeg %s 4000 3000 --orient 6 --gps", path("p.jpg"));
	CHECK(tool(args) == 0);
	snprintf(args, sizeof(args), "probe %s", path("p.jpg"));
	CHECK(tool(args) == 0 && strstr(out, "\"exif\": 0") == NULL); /* the input has GPS */
	struct image_job job = {path("p.jpg"), "image/jpeg", path("p.clean"), path("p.view"),
				path("p.thumb")};
	struct image_result res;
	double t0 = now(), c0 = child_cpu();
	int rc = images_process(&job, &res);
	printf("  12 MP JPEG: clean + view + thumb in %.0f ms (%.0f ms CPU)\n", (now() - t0) * 1000,
	       (child_cpu() - c0) * 1000);
	CHECK(rc == 0);
	CHECK(res.width == 3000 && res.height == 4000);
	CHECK(res.view_w == 960 && res.view_h == 1280);
	CHECK(res.thumb_w == 240 && res.thumb_h == 320);
	const char *outs[] = {"p.clean", "p.view", "p.thumb"};
	for (int i = 0; i < 3; i++) {
		snprintf(args, sizeof(args), "probe %s", path(outs[i]));
		CHECK(tool(args) == 0);
		CHECK(strstr(out, "\"format\": \"JPEG\"") != NULL);
		CHECK(strstr(out, "\"exif\": 0, \"profiles\": 0, \"comment\": false") != NULL);
		/* turned 90 degrees clockwise: blue top-left, red top-right */
		CHECK(strstr(out, "\"tl\": \"blue\", \"tr\": \"red\", \"bl\": \"yellow\", \"br\": \"lime\"") != NULL);
		if (unit_cur_failed)
			printf("  %s: %s", outs[i], out);
	}
}

TEST(previews_only_timing)
{
	struct image_job job = {path("p.jpg"), "image/jpeg", NULL, path("q.view"), path("q.thumb")};
	struct image_result res;
	double t0 = now(), c0 = child_cpu();
	CHECK(images_process(&job, &res) == 0);
	printf("  12 MP JPEG: view + thumb (send as file) in %.0f ms (%.0f ms CPU)\n",
	       (now() - t0) * 1000, (child_cpu() - c0) * 1000);
}

TEST(formats)
{
	const char *fmts[] = {"png", "gif", "webp"};
	for (int i = 0; i < 3; i++) {
		char args[1024], in[64], v[64], t[64], c[64], type[32];
		snprintf(in, sizeof(in), "in.%s", fmts[i]);
		snprintf(v, sizeof(v), "%s.view", fmts[i]);
		snprintf(t, sizeof(t), "%s.thumb", fmts[i]);
		snprintf(c, sizeof(c), "%s.clean", fmts[i]);
		snprintf(type, sizeof(type), "image/%s", fmts[i]);
		snprintf(args, sizeof(args), "%s %s 640 480 --alpha%s", fmts[i], path(in),
			 i == 1 ? " --frames 4" : "");
		CHECK(tool(args) == 0);
		struct image_job job = {path(in), type, path(c), path(v), path(t)};
		struct image_result res;
		CHECK(images_process(&job, &res) == 0);
		CHECK(res.width == 640 && res.height == 480 && res.thumb_w == 320);
		snprintf(args, sizeof(args), "probe %s", path(t));
		CHECK(tool(args) == 0 && strstr(out, "\"format\": \"WEBP\"") && strstr(out, "\"frames\": 1"));
		snprintf(args, sizeof(args), "probe %s", path(c));
		CHECK(tool(args) == 0 && strstr(out, "\"tl\": \"red\""));
		if (i == 1)
			CHECK(strstr(out, "\"frames\": 4") != NULL); /* the animation is kept */
		if (unit_cur_failed)
			printf("  %s: %s %s\n", fmts[i], res.reason, out);
	}
}

TEST(refused_inputs)
{
	char args[1024];
	snprintf(args, sizeof(args), "gifbomb %s 5000", path("bomb.gif"));
	CHECK(tool(args) == 0);
	struct image_job job = {path("bomb.gif"), "image/gif", path("b.clean"), path("b.view"),
				path("b.thumb")};
	struct image_result res;
	double t0 = now();
	CHECK(images_process(&job, &res) != 0);
	printf("  5000-frame GIF refused in %.0f ms: %s\n", (now() - t0) * 1000, res.reason);
	CHECK(!exists(path("b.view")) && !exists(path("b.clean")));

	FILE *f = fopen(path("svg.jpg"), "w");
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9000\" height=\"9000\">"
	      "<script>alert(1)</script></svg>", f);
	fclose(f);
	struct image_job svg = {path("svg.jpg"), "image/jpeg", NULL, path("s.view"), path("s.thumb")};
	CHECK(images_process(&svg, &res) != 0);
	CHECK(!exists(path("s.view")));
	struct image_job png = {path("svg.jpg"), "image/png", NULL, path("s2.view"), path("s2.thumb")};
	CHECK(images_process(&png, &res) != 0);
	struct image_job other = {path("svg.jpg"), "image/svg+xml", NULL, path("s3.view"),
				  path("s3.thumb")};
	CHECK(images_process(&other, &res) != 0);
}

TEST(avatar)
{
	char args[1024];
	snprintf(args, sizeof(args), "jpeg %s 600 400 --orient 6 --gps", path("av.jpg"));
	CHECK(tool(args) == 0);
	const char *outs[AVATAR_SIZES] = {path("a48"), path("a96"), path("a256")};
	char reason[96];
	CHECK(images_avatar(path("av.jpg"), "image/jpeg", outs, reason) == 0);
	for (int i = 0; i < AVATAR_SIZES; i++) {
		char want[64];
		snprintf(want, sizeof(want), "\"width\": %d, \"height\": %d", avatar_sizes[i],
			 avatar_sizes[i]);
		snprintf(args, sizeof(args), "probe %s", outs[i]);
		CHECK(tool(args) == 0 && strstr(out, want) && strstr(out, "\"exif\": 0"));
	}
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(refused_without_the_policy);
	RUN(policy_in_force);
	RUN(photo_oriented_and_stripped);
	RUN(previews_only_timing);
	RUN(formats);
	RUN(refused_inputs);
	RUN(avatar);
	images_done();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return unit_summary();
}
