/* store.c: the content-addressed blob store (see store.h). */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int mkdir_0700(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	int e = errno;
	log_error("cannot create %s: %s", path, strerror(e));
	errno = e;
	return -1;
}

int store_prepare(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	return mkdir_0700(dir) == 0 && mkdir_0700(tmp) == 0 ? 0 : -1;
}

void store_sweep(const char *dir, long max_age)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	DIR *d = opendir(tmp);
	if (d == NULL)
		return;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && now - st.st_mtime > max_age)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static void tmp_cleanup(void *p)
{
	struct store_tmp *t = p;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path)
		unlink(t->path);
	t->path = NULL;
}

struct store_tmp *store_tmp_new(struct arena *a, const char *dir, bool open_fd)
{
	uint8_t raw[16];
	char hex[33];
	if (random_bytes_hex(raw, hex) != 0)
		return NULL;
	struct store_tmp *t = arena_alloc(a, sizeof(*t));
	t->fd = -1;
	t->path = arena_printf(a, "%s/tmp/%s", dir, hex);
	sha256_init(&t->sha);
	if (open_fd) {
		t->wbuf = arena_alloc(a, STORE_WBUF);
		t->fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (t->fd < 0) {
			log_error("cannot create %s: %s", t->path, strerror(errno));
			return NULL;
		}
	}
	arena_defer(a, tmp_cleanup, t);
	return t;
}

/* Write out the gathered bytes, hashing them on the way. */
static int tmp_flush(struct store_tmp *t)
{
	const char *p = t->wbuf;
	size_t len = t->wlen;
	sha256_update(&t->sha, p, len);
	t->wlen = 0;
	while (len > 0) {
		ssize_t n = write(t->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			t->err = n < 0 ? errno : ENOSPC;
			log_error("write %s: %s", t->path, strerror(t->err));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int store_tmp_write(struct store_tmp *t, const void *data, size_t len)
{
	if (t->head_len < sizeof(t->head)) {
		size_t take = sizeof(t->head) - t->head_len < len ? sizeof(t->head) - t->head_len : len;
		memcpy(t->head + t->head_len, data, take);
		t->head_len += take;
	}
	t->size += len;
	const char *p = data;
	while (len > 0) {
		size_t take = STORE_WBUF - t->wlen < len ? STORE_WBUF - t->wlen : len;
		memcpy(t->wbuf + t->wlen, p, take);
		t->wlen += take;
		p += take;
		len -= take;
		if (t->wlen == STORE_WBUF && tmp_flush(t) != 0)
			return -1;
	}
	return 0;
}

int store_tmp_finish(struct store_tmp *t)
{
	int rc = tmp_flush(t);
	if (close(t->fd) != 0 && rc == 0) {
		t->err = errno;
		log_error("close %s: %s", t->path, strerror(t->err));
		rc = -1;
	}
	t->fd = -1;
	uint8_t d[SHA256_LEN];
	sha256_final(&t->sha, d);
	hex_encode(d, sizeof(d), t->hex);
	return rc;
}

int store_hash_file(const char *path, char hex[65], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct sha256_ctx c;
	sha256_init(&c);
	char chunk[65536];
	uint64_t total = 0;
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		sha256_update(&c, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	int rc = n < 0 ? -1 : 0;
	close(fd);
	uint8_t d[SHA256_LEN];
	sha256_final(&c, d);
	hex_encode(d, sizeof(d), hex);
	*size = total;
	return rc;
}

bool store_hex_ok(const char *hex)
{
	if (hex == NULL || strlen(hex) != 64)
		return false;
	for (const char *p = hex; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

char *store_rel(struct arena *a, const char *hex)
{
	if (!store_hex_ok(hex))
		return NULL;
	return arena_printf(a, "%.2s/%s", hex, hex);
}

/* The file's bytes onto the disk before its name is: fsync(2) through a
 * descriptor of our own (the writer has closed it). errno kept. */
static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	int rc = fsync(fd), e = errno;
	close(fd);
	errno = e;
	return rc;
}

static void blob_paths(const char *dir, const char *hex, char sub[4096], char dest[4200])
{
	snprintf(sub, 4096, "%s/%.2s", dir, hex);
	snprintf(dest, 4200, "%s/%.2s/%s", dir, hex, hex);
}

/* Sync each new file, or drop it when its blob is stored already. */
static int commit_prepare(const char *dir, char **const paths[], const char *const hex[], size_t n,
			  bool fresh[])
{
	char sub[4096], dest[4200];
	for (size_t i = 0; i < n; i++) {
		fresh[i] = false;
		if (!store_hex_ok(hex[i]) || *paths[i] == NULL) {
			errno = EINVAL;
			return -1;
		}
		blob_paths(dir, hex[i], sub, dest);
		if (mkdir_0700(sub) != 0)
			return -1;
		struct stat st;
		if (stat(dest, &st) == 0 && S_ISREG(st.st_mode)) {
			unlink(*paths[i]); /* the same bytes are there already */
			*paths[i] = NULL;
			continue;
		}
		if (sync_file(*paths[i]) != 0) {
			int e = errno;
			log_error("sync %s: %s", *paths[i], strerror(e));
			errno = e;
			return -1;
		}
		fresh[i] = true;
	}
	return 0;
}

int store_commit_all(const char *dir, char **const paths[], const char *const hex[], size_t n)
{
	bool fresh[STORE_COMMIT_MAX];
	if (n > STORE_COMMIT_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (commit_prepare(dir, paths, hex, n, fresh) != 0)
		return -1;
	char sub[4096], dest[4200];
	for (size_t i = 0; i < n; i++) {
		if (!fresh[i])
			continue;
		blob_paths(dir, hex[i], sub, dest);
		if (rename(*paths[i], dest) != 0) {
			int e = errno;
			log_error("rename %s: %s", dest, strerror(e));
			errno = e;
			return -1;
		}
		*paths[i] = NULL;
	}
	/* after every rename: the first directory sync commits the journal
	 * holding them all, so the others find little or nothing to do */
	for (size_t i = 0; i < n; i++) {
		if (!fresh[i])
			continue;
		blob_paths(dir, hex[i], sub, dest);
		int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}

int store_commit(const char *dir, char **path, const char *hex)
{
	char **const paths[] = {path};
	const char *const hexes[] = {hex};
	return store_commit_all(dir, paths, hexes, 1);
}
