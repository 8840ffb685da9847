/* upload.h: reading a multipart/form-data request body (routes flagged
 * R_STREAM) in 64 KiB chunks: text fields into r->form (capped), file parts
 * streamed into temp files of the blob store while they are hashed, the
 * size cap (MESSLY_MAX_UPLOAD) enforced on the bytes actually read, and the
 * CSRF check done before the first file byte is written (the form puts its
 * csrf field first; scripts send X-CSRF-Token). Memory does not grow with
 * the size of the upload; temp files not committed vanish with the request. */
#ifndef MESSLY_UPLOAD_H
#define MESSLY_UPLOAD_H

#include "app.h"
#include "store.h"

#define UPLOAD_MAX_FILES 10
#define UPLOAD_FIELD_MAX 16384 /* bytes of one text field */
#define UPLOAD_MAX_FIELDS 32

struct upload_file {
	struct store_tmp *tmp; /* finished: size, hex, head */
	const char *name;      /* sanitized display name */
	const char *type;      /* detected from the content */
};

struct upload {
	const char *file_field;  /* the form field files come in ("file", "avatar") */
	size_t max_files;
	struct upload_file files[UPLOAD_MAX_FILES];
	size_t nfiles;
	const char *err_key;     /* catalog key when upload_read fails */
	const char *err_field;
};

/* Read the whole body. 0, or an HTTP status with u->err_key set: 413 over
 * the cap, 403 CSRF, 400 malformed, 415 not multipart, 422 too many files
 * or a file in an unexpected field, 500 storage trouble. */
int upload_read(struct req *r, struct upload *u);

#endif
