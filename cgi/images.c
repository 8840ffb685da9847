/* images.c: MagickWand under the project's policy, one child process per
 * decode (see images.h for why and for the sequence). */
#include "images.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
/* MagickCore's opencl.h declares GetDefaultOpenCLEnv() without (void). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <wand/MagickWand.h>
#pragma GCC diagnostic pop

#include "buf.h"
#include "jpegstrip.h"
#include "log.h"

const int avatar_sizes[AVATAR_SIZES] = {48, 96, 256};

static bool ready;

static const struct {
	ResourceType type;
	MagickSizeType max;
	const char *name;
} limits[] = {
	{WidthResource, IMG_MAX_SIDE, "width"},
	{HeightResource, IMG_MAX_SIDE, "height"},
	{AreaResource, IMG_MAX_AREA, "area"},
	{MemoryResource, IMG_MAX_MEMORY, "memory"},
	{MapResource, IMG_MAX_MAP, "map"},
	{DiskResource, 0, "disk"},
	{ListLengthResource, IMG_MAX_FRAMES, "list-length"},
	{TimeResource, IMG_MAX_TIME, "time"},
	{ThreadResource, 1, "thread"},
};

/* Coders that must be denied: active formats, delegates, pseudo-formats. */
static const char *const denied_coders[] = {
	"SVG", "MSVG", "MVG", "MSL", "TEXT", "TXT", "EPHEMERAL", "URL", "HTTP", "HTTPS",
	"FTP", "PS", "EPS", "PDF", "XPS", "MNG", "LABEL", "CAPTION", "PANGO", "INLINE",
	"VID", "INFO", "SHOW", "X", "HTML", "PLASMA", "PATTERN", "TIFF", "BMP", "ICO",
};
static const char *const allowed_coders[] = {"JPEG", "PNG", "GIF", "WEBP"};

static bool policy_ok(void)
{
	bool ok = true;
	for (size_t i = 0; i < sizeof(denied_coders) / sizeof(denied_coders[0]); i++)
		if (IsRightsAuthorized(CoderPolicyDomain, ReadPolicyRights, denied_coders[i])) {
			log_error("ImageMagick policy allows reading %s", denied_coders[i]);
			ok = false;
		}
	for (size_t i = 0; i < sizeof(allowed_coders) / sizeof(allowed_coders[0]); i++)
		if (!IsRightsAuthorized(CoderPolicyDomain, ReadPolicyRights | WritePolicyRights,
					allowed_coders[i])) {
			log_error("ImageMagick policy denies %s", allowed_coders[i]);
			ok = false;
		}
	if (IsRightsAuthorized(DelegatePolicyDomain, ExecutePolicyRights, "gs") ||
	    IsRightsAuthorized(PathPolicyDomain, ReadPolicyRights, "@/etc/passwd")) {
		log_error("ImageMagick policy allows delegates or @file paths");
		ok = false;
	}
	return ok;
}

static bool limits_ok(void)
{
	bool ok = true;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		MagickSetResourceLimit(limits[i].type, limits[i].max); /* can only lower */
		MagickSizeType v = GetMagickResourceLimit(limits[i].type);
		if (v > limits[i].max) {
			log_error("ImageMagick %s limit is %llu, above %llu", limits[i].name,
				  (unsigned long long)v, (unsigned long long)limits[i].max);
			ok = false;
		}
	}
	return ok;
}

bool images_init(void)
{
	MagickWandGenesis();
	bool p = policy_ok(), l = limits_ok();
	ready = p && l;
	if (!ready) {
		const char *dir = getenv("MAGICK_CONFIGURE_PATH");
		log_error("ImageMagick policy not in force (MAGICK_CONFIGURE_PATH=%s; expected "
			  "deploy/imagemagick/policy.xml): images are refused in this worker",
			  dir ? log_safe(dir) : "unset");
	}
	return ready;
}

bool images_ready(void) { return ready; }

void images_done(void) { MagickWandTerminus(); }

const char *images_derived_type(const char *type)
{
	return type && strcmp(type, "image/jpeg") == 0 ? "image/jpeg" : "image/webp";
}

/* ------------------------------------------------------------ the child */

struct src {
	const unsigned char *data;
	size_t len;
	const char *coder; /* "JPEG", "PNG", "GIF", "WEBP" */
};

static const char *coder_of(const char *type)
{
	if (type == NULL)
		return NULL;
	if (strcmp(type, "image/jpeg") == 0)
		return "JPEG";
	if (strcmp(type, "image/png") == 0)
		return "PNG";
	if (strcmp(type, "image/gif") == 0)
		return "GIF";
	if (strcmp(type, "image/webp") == 0)
		return "WEBP";
	return NULL;
}

static void why(struct image_result *res, const char *fmt, const char *detail)
{
	snprintf(res->reason, sizeof(res->reason), fmt, detail ? detail : "");
}

/* The wand's exception text into the reason. */
static void wand_why(struct image_result *res, MagickWand *w, const char *step)
{
	ExceptionType sev;
	char *d = MagickGetException(w, &sev);
	snprintf(res->reason, sizeof(res->reason), "%s: %s", step, d && *d ? d : "failed");
	if (d)
		MagickRelinquishMemory(d);
}

/* Ping (headers only) and check the limits on every frame. */
static int ping_check(const struct src *s, struct image_result *res)
{
	MagickWand *w = NewMagickWand();
	char name[32];
	snprintf(name, sizeof(name), "%s:in", s->coder);
	MagickSetFilename(w, name); /* the coder is chosen by us, not by the bytes */
	int rc = -1;
	if (MagickPingImageBlob(w, s->data, s->len) != MagickTrue) {
		wand_why(res, w, "ping");
	} else if (MagickGetNumberImages(w) > IMG_MAX_FRAMES) {
		why(res, "too many frames%s", NULL);
	} else {
		rc = 0;
		MagickSetFirstIterator(w);
		res->width = (int)MagickGetImageWidth(w);
		res->height = (int)MagickGetImageHeight(w);
		MagickResetIterator(w);
		while (rc == 0 && MagickNextImage(w) != MagickFalse) {
			size_t iw = MagickGetImageWidth(w), ih = MagickGetImageHeight(w);
			if (iw == 0 || ih == 0 || iw > IMG_MAX_SIDE || ih > IMG_MAX_SIDE ||
			    (long long)iw * (long long)ih > IMG_MAX_AREA) {
				why(res, "dimensions over the limits%s", NULL);
				rc = -1;
			}
		}
	}
	DestroyMagickWand(w);
	return rc;
}

static bool swaps_sides(OrientationType o)
{
	return o == LeftTopOrientation || o == RightTopOrientation ||
	       o == RightBottomOrientation || o == LeftBottomOrientation;
}

static void fit(int w, int h, int box, int *ow, int *oh)
{
	if (w <= box && h <= box) {
		*ow = w;
		*oh = h;
	} else if (w >= h) {
		*ow = box;
		*oh = (int)((double)h * box / w + 0.5);
	} else {
		*oh = box;
		*ow = (int)((double)w * box / h + 0.5);
	}
	if (*ow < 1)
		*ow = 1;
	if (*oh < 1)
		*oh = 1;
}

static int write_file(const char *path, const unsigned char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return close(fd);
}

/* Strip, set the output format on every frame and write them all. The
 * filename is cleared first: a "GIF:in[0]" hint would win over the format. */
static int encode(MagickWand *w, const char *format, size_t quality, const char *path)
{
	MagickSetFilename(w, "");
	MagickSetOption(w, "png:exclude-chunk", "date,time,EXIF,iTXt,tEXt,zTXt,iCCP");
	MagickResetIterator(w);
	while (MagickNextImage(w) != MagickFalse) {
		MagickSetImageFilename(w, "");
		if (MagickStripImage(w) != MagickTrue || MagickSetImageFormat(w, format) != MagickTrue)
			return -1;
		if (strcmp(format, "JPEG") == 0) {
			PixelWand *white = NewPixelWand();
			PixelSetColor(white, "white");
			MagickSetImageBackgroundColor(w, white);
			DestroyPixelWand(white);
			if (MagickGetImageAlphaChannel(w) == MagickTrue)
				MagickSetImageAlphaChannel(w, RemoveAlphaChannel);
		}
		if (quality)
			MagickSetImageCompressionQuality(w, quality);
	}
	MagickSetFormat(w, format);
	/* baseline: the same pixels as progressive in half the time (a 12-MP
	 * photo's 1280-px view 20 -> 12 ms, a busier one 40 -> 21 ms; sizes
	 * within 3 % either way) */
	MagickSetInterlaceScheme(w, NoInterlace);
	size_t len = 0;
	unsigned char *blob;
	if (MagickGetNumberImages(w) > 1) {
		blob = MagickGetImagesBlob(w, &len);
	} else {
		MagickSetFirstIterator(w);
		blob = MagickGetImageBlob(w, &len);
	}
	if (blob == NULL || len == 0)
		return -1;
	int rc = write_file(path, blob, len);
	MagickRelinquishMemory(blob);
	return rc;
}

/* Decode for previews: JPEG with the size hint, GIF its first frame only.
 * libjpeg then scales by n/8 while decoding, to the smallest size that
 * still covers w x h: for a 4000x3000 photo and its 1280x960 view that is
 * 3/8 (1500x1125); a square hint (1280x1280) would take 4/8 (2000x1500),
 * 1.8 times the pixels for every later step. */
static MagickWand *read_preview(const struct src *s, int w, int h, struct image_result *res)
{
	MagickWand *wand = NewMagickWand();
	char name[32], hint[32];
	snprintf(name, sizeof(name), "%s:in%s", s->coder, strcmp(s->coder, "GIF") == 0 ? "[0]" : "");
	MagickSetFilename(wand, name);
	if (strcmp(s->coder, "JPEG") == 0) {
		snprintf(hint, sizeof(hint), "%dx%d", w, h);
		MagickSetOption(wand, "jpeg:size", hint);
	}
	if (MagickReadImageBlob(wand, s->data, s->len) != MagickTrue) {
		wand_why(res, wand, "decode");
		DestroyMagickWand(wand);
		return NULL;
	}
	MagickSetFirstIterator(wand);
	return wand;
}

/* The view from the decoded image, the thumbnail from the view. Measured on
 * a 12-MP photo (a 1500x1125 decode, a 1280x960 view and a 320x240
 * thumbnail), against a Lanczos resize of the full image: the view by
 * MagickScaleImage (each output pixel the area average of the pixels it
 * covers) in 29 ms, as close to the reference as the triangle filter's
 * 52 ms; the thumbnail by Catmull-Rom in 17 ms, a little closer than
 * MagickThumbnailImage's 72 ms (it sampled the view *up* to 5x the
 * thumbnail, 1600 px, then ran Lanczos over that). */
static int make_previews(MagickWand *w, const char *fmt, const struct image_job *job,
			 struct image_result *res)
{
	if (MagickScaleImage(w, (size_t)res->view_w, (size_t)res->view_h) != MagickTrue)
		return -1;
	MagickWand *t = CloneMagickWand(w);
	int rc = encode(w, fmt, 82, job->view_out) == 0 &&
				 MagickResizeImage(t, (size_t)res->thumb_w, (size_t)res->thumb_h,
						   CatromFilter, 1.0) == MagickTrue &&
				 encode(t, fmt, 80, job->thumb_out) == 0
			 ? 0 : -1;
	DestroyMagickWand(t);
	return rc;
}

static int do_previews(const struct src *s, const struct image_job *job, struct image_result *res)
{
	int hint_w, hint_h; /* the view's size before orienting */
	fit(res->width, res->height, IMG_VIEW_SIDE, &hint_w, &hint_h);
	MagickWand *w = read_preview(s, hint_w, hint_h, res);
	if (w == NULL)
		return -1;
	bool swap = swaps_sides(MagickGetImageOrientation(w));
	if (swap) {
		int t = res->width;
		res->width = res->height;
		res->height = t;
	}
	const char *fmt = strcmp(s->coder, "JPEG") == 0 ? "JPEG" : "WEBP";
	int rc = -1;
	if (MagickAutoOrientImage(w) == MagickTrue) {
		fit(res->width, res->height, IMG_VIEW_SIDE, &res->view_w, &res->view_h);
		fit(res->width, res->height, IMG_THUMB_SIDE, &res->thumb_w, &res->thumb_h);
		rc = make_previews(w, fmt, job, res);
	}
	if (rc != 0 && res->reason[0] == '\0')
		wand_why(res, w, "preview");
	DestroyMagickWand(w);
	return rc;
}

/* The full image re-encoded in its own format, oriented and stripped. */
static int do_clean(const struct src *s, const char *out, struct image_result *res)
{
	MagickWand *w = NewMagickWand();
	char name[32];
	snprintf(name, sizeof(name), "%s:in", s->coder);
	MagickSetFilename(w, name);
	int rc = -1;
	if (MagickReadImageBlob(w, s->data, s->len) != MagickTrue) {
		wand_why(res, w, "decode");
	} else {
		size_t quality = 0;
		if (strcmp(s->coder, "JPEG") == 0) {
			MagickSetFirstIterator(w);
			quality = MagickGetImageCompressionQuality(w);
			quality = quality < 75 || quality > 92 ? 90 : quality;
		} else if (strcmp(s->coder, "WEBP") == 0) {
			quality = 90;
		}
		rc = 0;
		MagickResetIterator(w);
		while (rc == 0 && MagickNextImage(w) != MagickFalse)
			rc = MagickAutoOrientImage(w) == MagickTrue ? 0 : -1;
		if (rc == 0)
			rc = encode(w, s->coder, quality, out);
		if (rc != 0)
			wand_why(res, w, "re-encode");
	}
	DestroyMagickWand(w);
	return rc;
}

/* A JPEG that needs no turning: its metadata dropped without decoding
 * (jpegstrip.h), the pixels as they were; -1: do_clean() instead. The
 * previews decoded it just before, so it is an image ImageMagick reads. */
static int strip_jpeg(const struct src *s, const char *out)
{
	if (strcmp(s->coder, "JPEG") != 0)
		return -1;
	struct buf b = BUF_INIT;
	int rc = jpeg_strip(s->data, s->len, &b) == 0 ? write_file(out, (const unsigned char *)b.data, b.len) : -1;
	if (rc != 0)
		unlink(out); /* do_clean() creates it anew (O_EXCL) */
	buf_free(&b);
	return rc;
}

static int map_src(const char *path, struct src *s)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size <= 0) {
		close(fd);
		return -1;
	}
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	s->data = p;
	s->len = (size_t)st.st_size;
	return 0;
}

static int child_image(const struct image_job *job, struct image_result *res)
{
	struct src s = {.coder = coder_of(job->type)};
	if (s.coder == NULL || map_src(job->src, &s) != 0) {
		why(res, "unreadable%s", NULL);
		return -1;
	}
	if (ping_check(&s, res) != 0)
		return -1;
	if (do_previews(&s, job, res) != 0)
		return -1;
	if (job->clean_out && strip_jpeg(&s, job->clean_out) != 0 &&
	    do_clean(&s, job->clean_out, res) != 0)
		return -1;
	return 0;
}

struct avatar_job {
	const char *src, *type;
	const char *const *out;
};

static int child_avatar(const struct avatar_job *job, struct image_result *res)
{
	struct src s = {.coder = coder_of(job->type)};
	if (s.coder == NULL || map_src(job->src, &s) != 0) {
		why(res, "unreadable%s", NULL);
		return -1;
	}
	if (ping_check(&s, res) != 0)
		return -1;
	MagickWand *w = read_preview(&s, avatar_sizes[AVATAR_SIZES - 1],
				      avatar_sizes[AVATAR_SIZES - 1], res);
	if (w == NULL)
		return -1;
	int rc = MagickAutoOrientImage(w) == MagickTrue ? 0 : -1;
	size_t iw = MagickGetImageWidth(w), ih = MagickGetImageHeight(w);
	size_t side = iw < ih ? iw : ih;
	if (rc == 0 && MagickCropImage(w, side, side, (ssize_t)((iw - side) / 2),
				       (ssize_t)((ih - side) / 2)) != MagickTrue)
		rc = -1;
	if (rc == 0)
		MagickResetImagePage(w, "0x0+0+0");
	for (int i = AVATAR_SIZES - 1; rc == 0 && i >= 0; i--) {
		size_t n = (size_t)avatar_sizes[i];
		if (MagickThumbnailImage(w, n, n) != MagickTrue || encode(w, "JPEG", 85, job->out[i]) != 0)
			rc = -1;
	}
	if (rc != 0)
		wand_why(res, w, "avatar");
	DestroyMagickWand(w);
	return rc;
}

/* ----------------------------------------------------------- the parent */

/* The job of the next child; set just before fork. */
static struct image_result *child_res;
static const struct image_job *cur_image;
static const struct avatar_job *cur_avatar;

struct child_msg {
	int status;
	struct image_result res;
};

/* Read the child's one message within the wall-clock budget. */
static bool read_msg(int fd, struct child_msg *msg)
{
	size_t got = 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (got < sizeof(*msg)) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = IMG_WALL_SECONDS * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
							 (now.tv_nsec - start.tv_nsec) / 1000000L);
		if (left <= 0)
			return false;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return false;
		ssize_t n = read(fd, (char *)msg + got, sizeof(*msg) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* Fork; the child runs fn (which reads its job from cur_* and writes into
 * child_res, its own copy after the fork) and reports through a pipe. */
static int run_child(int (*fn)(void), struct image_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!ready) {
		why(res, "ImageMagick policy not in force%s", NULL);
		return -1;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		why(res, "pipe failed%s", NULL);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		why(res, "fork failed%s", NULL);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		struct rlimit cpu = {IMG_MAX_TIME + 5, IMG_MAX_TIME + 6};
		setrlimit(RLIMIT_CPU, &cpu);
		struct child_msg msg;
		memset(&msg, 0, sizeof(msg));
		msg.status = fn();
		memcpy(&msg.res, res, sizeof(*res));
		ssize_t n = write(fds[1], &msg, sizeof(msg));
		_exit(n == (ssize_t)sizeof(msg) ? 0 : 1);
	}
	close(fds[1]);
	struct child_msg msg;
	bool got = read_msg(fds[0], &msg);
	close(fds[0]);
	if (!got)
		kill(pid, SIGKILL);
	int wst = 0;
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (!got) {
		why(res, WIFSIGNALED(wst) ? "the decoder died or timed out%s" : "the decoder failed%s",
		    NULL);
		return -1;
	}
	*res = msg.res;
	return msg.status == 0 ? 0 : -1;
}


static int image_entry(void)
{
	return child_image(cur_image, child_res);
}

static int avatar_entry(void)
{
	return child_avatar(cur_avatar, child_res);
}

int images_process(const struct image_job *job, struct image_result *res)
{
	cur_image = job;
	child_res = res;
	int rc = run_child(image_entry, res);
	if (rc != 0 && res->reason[0] == '\0')
		why(res, "refused%s", NULL);
	return rc;
}

int images_avatar(const char *src, const char *type, const char *const out[AVATAR_SIZES],
		  char reason[96])
{
	struct avatar_job job = {src, type, out};
	struct image_result res;
	cur_avatar = &job;
	child_res = &res;
	int rc = run_child(avatar_entry, &res);
	snprintf(reason, 96, "%s", res.reason[0] ? res.reason : "refused");
	return rc;
}
