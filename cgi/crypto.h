/* crypto.h: SHA-256, HMAC-SHA-256, random tokens and encodings used by
 * sessions, CSRF tokens and channel ids. */
#ifndef MESSLY_CRYPTO_H
#define MESSLY_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* Incremental SHA-256 (uploads are hashed while they stream to disk). */
struct sha256_ctx {
	uint32_t h[8];
	uint64_t bits;
	uint8_t block[64];
	size_t fill;
};
void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_LEN]);
/* Tests: true keeps to the C rounds where the CPU has the SHA extensions
 * (used otherwise); false asks the CPU again. */
void sha256_portable(bool on);
void hmac_sha256(const uint8_t *key, size_t keylen, const void *msg, size_t msglen,
		 uint8_t out[SHA256_LEN]);
/* HMAC with the key's padded blocks hashed once (hmac_key_init), so that
 * each MAC of a short message costs two SHA-256 blocks instead of four:
 * channel ids and CSRF tokens are MACs under the server secret. */
struct hmac_key {
	struct sha256_ctx inner, outer;
};
void hmac_key_init(struct hmac_key *hk, const uint8_t *key, size_t keylen);
void hmac_sha256_keyed(const struct hmac_key *hk, const void *msg, size_t msglen,
		       uint8_t out[SHA256_LEN]);
/* Fill buf with n bytes from the kernel's CSPRNG. Returns 0 or -1. */
int random_bytes(void *buf, size_t n);
/* Lower-case hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void hex_encode(const uint8_t *in, size_t n, char *out);
/* Decode exactly 2n hex chars into n bytes. Returns 0 or -1. */
int hex_decode(const char *in, uint8_t *out, size_t n);
/* 16 random bytes (into raw) as 32 hex chars + NUL (into hex). 0 or -1. */
int random_bytes_hex(uint8_t raw[16], char hex[33]);
/* Constant-time comparison of two equal-length byte strings. */
bool ct_equal(const void *a, const void *b, size_t n);

#endif
