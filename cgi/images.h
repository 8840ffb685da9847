/* images.h: everything Messly asks of ImageMagick (MagickWand 6).
 *
 * A worker calls images_init() once after it was forked (never the
 * master): MagickWandGenesis, the resource limits lowered in code, and a
 * check that the project's policy (deploy/imagemagick/policy.xml, found
 * through MAGICK_CONFIGURE_PATH) is in force. When it is not, images are
 * refused (logged at start-up), never decoded under a looser policy.
 *
 * Every decode runs in a child process forked for the one job: ImageMagick
 * 6's "time" limit counts from the first pixel-cache use of the *process*
 * and then exits it (a fatal exception), a decoder bug must not take the
 * worker down, and the child's memory is returned at once. The worker
 * itself never touches pixels. The child pings (header only), checks
 * format, width, height, area and frame count, then decodes with the JPEG
 * size hint (GIF: first frame only), auto-orients from EXIF, strips every
 * profile and comment (no EXIF, no GPS), and encodes. A wall-clock timeout
 * in the parent kills a child that hangs. */
#ifndef MESSLY_IMAGES_H
#define MESSLY_IMAGES_H

#include <stdbool.h>

/* The limits, in code and in deploy/imagemagick/policy.xml. */
#define IMG_MAX_SIDE 10000           /* width, height (pixels) */
#define IMG_MAX_AREA 40000000LL      /* pixels of one frame */
#define IMG_MAX_FRAMES 300           /* list-length */
#define IMG_MAX_MEMORY (256LL << 20) /* bytes of pixel cache in memory */
#define IMG_MAX_MAP (512LL << 20)    /* bytes of memory-mapped pixel cache */
#define IMG_MAX_TIME 20              /* seconds of one child's life */
#define IMG_WALL_SECONDS 30          /* the parent kills a child after this */
#define IMG_VIEW_SIDE 1280
#define IMG_THUMB_SIDE 320

/* Worker start-up. Returns true when images may be processed. */
bool images_init(void);
bool images_ready(void);
void images_done(void);

/* One uploaded image. Outputs are created (O_EXCL) by the child. */
struct image_job {
	const char *src;       /* the uploaded bytes */
	const char *type;      /* sniffed: image/jpeg|png|gif|webp */
	const char *clean_out; /* re-encoded, stripped full image; NULL: keep the original bytes */
	const char *view_out;  /* ~IMG_VIEW_SIDE px */
	const char *thumb_out; /* ~IMG_THUMB_SIDE px */
};

struct image_result {
	int width, height; /* the full image, oriented */
	int view_w, view_h;
	int thumb_w, thumb_h;
	char reason[96];   /* why it was refused (for the log) */
};

/* 0 when every output was written; -1 when the image was refused (over a
 * limit, undecodable, not allowed by the policy, child crashed or timed
 * out) with res->reason set. */
int images_process(const struct image_job *job, struct image_result *res);

/* The derived files' type: JPEG for JPEG photos, WebP otherwise (alpha). */
const char *images_derived_type(const char *type);

/* An avatar: the image cropped to a centred square, auto-oriented,
 * stripped, written as JPEG in three sizes (48, 96, 256 px). 0 or -1. */
#define AVATAR_SIZES 3
extern const int avatar_sizes[AVATAR_SIZES];
int images_avatar(const char *src, const char *type, const char *const out[AVATAR_SIZES],
		  char reason[96]);

#endif
