/* test_crypto.c: SHA-256 and HMAC-SHA-256 against published vectors. */
#include "crypto.h"
#include "unit.h"

static const char *hex_of(const uint8_t *d, size_t n)
{
	static char out[2 * 64 + 1];
	hex_encode(d, n, out);
	return out;
}

TEST(sha256_vectors)
{
	uint8_t d[32];
	sha256("", 0, d);
	CHECK_STR(hex_of(d, 32), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256("abc", 3, d);
	CHECK_STR(hex_of(d, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256(m, strlen(m), d);
	CHECK_STR(hex_of(d, 32), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A million 'a' (FIPS 180-2's long vector) fed in pieces of uneven sizes:
 * whole blocks straight from the input and pieces through the block buffer
 * must give the same digest as the one-shot call. */
TEST(sha256_pieces)
{
	static char m[1000000];
	memset(m, 'a', sizeof(m));
	const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	uint8_t d[32];
	sha256(m, sizeof(m), d);
	CHECK_STR(hex_of(d, 32), want);
	static const size_t sizes[] = {1, 63, 64, 65, 127, 128, 1000, 4096, 3};
	struct sha256_ctx c;
	sha256_init(&c);
	size_t off = 0;
	for (size_t k = 0; off < sizeof(m); k++) {
		size_t n = sizes[k % (sizeof(sizes) / sizeof(sizes[0]))];
		n = n < sizeof(m) - off ? n : sizeof(m) - off;
		sha256_update(&c, m + off, n);
		off += n;
	}
	sha256_final(&c, d);
	CHECK_STR(hex_of(d, 32), want);
}

/* Lengths around the padding's edges (55/56 bytes fit the length in the
 * last block or not; 64 fills one), whole and fed in pieces. Expected
 * values from Python's hashlib; message byte i is (7i + 3) mod 256. */
TEST(sha256_padding_edges)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
		{56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
		{57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73"},
		{63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
		{64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
		{65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
		{119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
		{120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
		{1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"},
	};
	uint8_t m[1000], d[32];
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)(i * 7 + 3);
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		sha256(m, v[k].n, d);
		CHECK_STR(hex_of(d, 32), v[k].hex);
		struct sha256_ctx c;
		sha256_init(&c);
		for (size_t at = 0, step = 1; at < v[k].n; at += step, step = step * 2 + 1)
			sha256_update(&c, m + at, at + step > v[k].n ? v[k].n - at : step);
		sha256_final(&c, d);
		CHECK_STR(hex_of(d, 32), v[k].hex);
	}
}

TEST(hmac_rfc4231)
{
	uint8_t key[20], d[32];
	memset(key, 0x0b, sizeof(key));
	hmac_sha256(key, sizeof(key), "Hi There", 8, d);
	CHECK_STR(hex_of(d, 32), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, d);
	CHECK_STR(hex_of(d, 32), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	uint8_t big[131];
	memset(big, 0xaa, sizeof(big));
	const char *m = "Test Using Larger Than Block-Size Key - Hash Key First";
	hmac_sha256(big, sizeof(big), m, strlen(m), d);
	CHECK_STR(hex_of(d, 32), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* The precomputed key gives the same MAC as the one-shot function, many
 * times over (the key's state is copied, never consumed). Expected value
 * from Python's hmac. */
TEST(hmac_keyed)
{
	uint8_t key[32], d[32], e[32];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	struct hmac_key hk;
	hmac_key_init(&hk, key, sizeof(key));
	for (int round = 0; round < 3; round++) {
		hmac_sha256_keyed(&hk, "user:12345", 10, d);
		CHECK_STR(hex_of(d, 32), "0ee0ed7c7e8ab378e417d7a838c58aea47e5d01191ea645530a016522437970e");
	}
	hmac_sha256(key, sizeof(key), "user:12345", 10, e);
	CHECK(memcmp(d, e, 32) == 0);
	uint8_t big[131];
	memset(big, 0xaa, sizeof(big));
	hmac_key_init(&hk, big, sizeof(big));
	const char *m = "Test Using Larger Than Block-Size Key - Hash Key First";
	hmac_sha256_keyed(&hk, m, strlen(m), d);
	CHECK_STR(hex_of(d, 32), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(hex_roundtrip)
{
	uint8_t in[4] = {0, 0x7f, 0x80, 0xff}, out[4];
	char h[9];
	hex_encode(in, 4, h);
	CHECK_STR(h, "007f80ff");
	CHECK(hex_decode(h, out, 4) == 0 && memcmp(in, out, 4) == 0);
	CHECK(hex_decode("007f80f", out, 4) == -1);
	CHECK(hex_decode("007f80fg", out, 4) == -1);
	CHECK(hex_decode("007f80ff00", out, 4) == -1);
	CHECK(ct_equal("abc", "abc", 3) && !ct_equal("abc", "abd", 3));
}

int main(void)
{
	/* twice: with the SHA extensions where this CPU has them, then the C rounds */
	for (int portable = 0; portable < 2; portable++) {
		sha256_portable(portable);
		RUN(sha256_vectors);
		RUN(sha256_pieces);
		RUN(sha256_padding_edges);
		RUN(hmac_rfc4231);
		RUN(hmac_keyed);
	}
	RUN(hex_roundtrip);
	return unit_summary();
}
