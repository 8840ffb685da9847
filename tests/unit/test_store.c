/* test_store.c: the blob store's temp files. Writes are gathered in a
 * buffer (STORE_WBUF) before write(2); the file, its size, its digest and
 * the head kept for type detection must be those of every byte written, in
 * whatever pieces they came, and a refused temp file leaves nothing. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "unit.h"

static char dir[] = "/tmp/messly-test-store-XXXXXX";

static unsigned char *pattern(size_t n)
{
	unsigned char *d = malloc(n);
	for (size_t i = 0; i < n; i++)
		d[i] = (unsigned char)(i * 131 + i / 977); /* CRs and all */
	return d;
}

static bool file_equals(const char *path, const unsigned char *want, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	unsigned char *got = malloc(n + 1);
	size_t have = 0;
	ssize_t r;
	while ((r = read(fd, got + have, n + 1 - have)) > 0)
		have += (size_t)r;
	close(fd);
	bool ok = have == n && memcmp(got, want, n) == 0;
	free(got);
	return ok;
}

TEST(tmp_pieces)
{
	size_t n = 3 * STORE_WBUF + 12345; /* several flushes and a tail */
	unsigned char *d = pattern(n);
	struct arena a;
	arena_init(&a);
	struct store_tmp *t = store_tmp_new(&a, dir, true);
	CHECK(t != NULL);
	static const size_t sizes[] = {1, 10, 1, 4000, STORE_WBUF, 7, STORE_WBUF - 3, 65};
	size_t off = 0;
	for (size_t k = 0; t && off < n; k++) {
		size_t m = sizes[k % (sizeof(sizes) / sizeof(sizes[0]))];
		m = m < n - off ? m : n - off;
		CHECK(store_tmp_write(t, d + off, m) == 0);
		off += m;
	}
	CHECK(t && store_tmp_finish(t) == 0);
	uint8_t dig[SHA256_LEN];
	char hex[65];
	sha256(d, n, dig);
	hex_encode(dig, sizeof(dig), hex);
	CHECK_STR(t->hex, hex);
	CHECK(t->size == n);
	CHECK(t->head_len == SNIFF_BYTES && memcmp(t->head, d, SNIFF_BYTES) == 0);
	CHECK(file_equals(t->path, d, n));
	char hex2[65];
	uint64_t size = 0;
	CHECK(store_hash_file(t->path, hex2, &size) == 0 && size == n);
	CHECK_STR(hex2, hex);
	char *path = arena_strdup(&a, t->path);
	arena_reset(&a); /* not committed: removed */
	struct stat st;
	CHECK(stat(path, &st) != 0);
	free(d);
}

/* A file shorter than the buffer is written at store_tmp_finish. */
TEST(tmp_small)
{
	struct arena a;
	arena_init(&a);
	struct store_tmp *t = store_tmp_new(&a, dir, true);
	CHECK(t != NULL && store_tmp_write(t, "abc", 3) == 0 && store_tmp_finish(t) == 0);
	CHECK_STR(t->hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(file_equals(t->path, (const unsigned char *)"abc", 3));
	arena_free(&a);
}

/* Committed bytes land under their hash; the same bytes again leave one
 * blob and no temp file. */
TEST(commit)
{
	struct arena a;
	arena_init(&a);
	char blob[200];
	for (int k = 0; k < 2; k++) {
		struct store_tmp *t = store_tmp_new(&a, dir, true);
		CHECK(t != NULL && store_tmp_write(t, "commit me", 9) == 0 && store_tmp_finish(t) == 0);
		if (t == NULL)
			break;
		char *tmp = arena_strdup(&a, t->path);
		CHECK(store_commit(dir, &t->path, t->hex) == 0 && t->path == NULL);
		struct stat st;
		CHECK(stat(tmp, &st) != 0);
		snprintf(blob, sizeof(blob), "%s/%s", dir, store_rel(&a, t->hex));
		CHECK(file_equals(blob, (const unsigned char *)"commit me", 9));
	}
	char sub[200];
	snprintf(sub, sizeof(sub), "%s", blob);
	*strrchr(sub, '/') = '\0';
	unlink(blob);
	rmdir(sub);
	arena_free(&a);
}

/* Three at once, one of them stored already: all three blobs there
 * afterwards, no temp file left, every path cleared. */
TEST(commit_all)
{
	struct arena a;
	arena_init(&a);
	static const char *const bodies[] = {"view bytes", "thumb bytes", "original bytes"};
	struct store_tmp *t[3];
	char *tmp[3];
	for (int i = 0; i < 3; i++) {
		t[i] = store_tmp_new(&a, dir, true);
		CHECK(t[i] != NULL && store_tmp_write(t[i], bodies[i], strlen(bodies[i])) == 0 &&
		      store_tmp_finish(t[i]) == 0);
		if (t[i] == NULL)
			return;
		tmp[i] = arena_strdup(&a, t[i]->path);
	}
	struct store_tmp *pre = store_tmp_new(&a, dir, true); /* the thumbnail's bytes, stored before */
	CHECK(pre && store_tmp_write(pre, bodies[1], strlen(bodies[1])) == 0 && store_tmp_finish(pre) == 0 &&
	      store_commit(dir, &pre->path, pre->hex) == 0);
	char **const paths[] = {&t[0]->path, &t[1]->path, &t[2]->path};
	const char *const hexes[] = {t[0]->hex, t[1]->hex, t[2]->hex};
	CHECK(store_commit_all(dir, paths, hexes, 3) == 0);
	for (int i = 0; i < 3; i++) {
		struct stat st;
		CHECK(t[i]->path == NULL && stat(tmp[i], &st) != 0);
		char blob[200], sub[200];
		snprintf(blob, sizeof(blob), "%s/%s", dir, store_rel(&a, t[i]->hex));
		CHECK(file_equals(blob, (const unsigned char *)bodies[i], strlen(bodies[i])));
		snprintf(sub, sizeof(sub), "%s", blob);
		*strrchr(sub, '/') = '\0';
		unlink(blob);
		rmdir(sub);
	}
	const char *bad[] = {"not-hex"};
	char *p = tmp[0];
	char **const badp[] = {&p};
	CHECK(store_commit_all(dir, badp, bad, 1) == -1);
	arena_free(&a);
}

int main(void)
{
	if (mkdtemp(dir) == NULL || store_prepare(dir) != 0)
		return 1;
	RUN(tmp_pieces);
	RUN(tmp_small);
	RUN(commit);
	RUN(commit_all);
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	rmdir(tmp);
	rmdir(dir);
	return unit_summary();
}
