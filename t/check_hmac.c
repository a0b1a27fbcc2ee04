/*
 * check_hmac.c -- SHA-256, HMAC-SHA256, the constant-time comparison,
 * the random source and the loading of the cluster secret.
 *
 * The hash and MAC vectors are the published ones (FIPS 180-4 examples,
 * RFC 4231); the padding-boundary and key-length cases were computed
 * with Python's hashlib/hmac, an independent implementation.
 */
#include "strads-int.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmac.h"
#include "testutil.h"

/* Decodes a hex string into out; returns its length in bytes. */
static size_t
unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s) / 2, i;
	unsigned v;

	ck_assert_uint_eq(strlen(s) % 2, 0);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* Asserts that got[0..n) is the hex string want. */
#define ck_assert_hex(got, n, want)                                            \
	do {                                                                   \
		uint8_t want_[64];                                             \
		size_t wn_ = unhex((want), want_);                             \
		ck_assert_uint_eq(wn_, (n));                                   \
		ck_assert_mem_eq((got), want_, wn_);                           \
	} while (0)

static void
sha256(const void *p, size_t n, uint8_t out[32])
{
	strads__sha256_t c;

	strads__sha256_init(&c);
	strads__sha256_update(&c, p, n);
	strads__sha256_final(&c, out);
}

/* ------------------------------------------------------------------ */
/* SHA-256.                                                            */

START_TEST(sha256_fips_vectors)
{
	static const struct {
		const char *msg, *digest;
	} v[] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb924"
		 "27ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad"},
	    /* 448 bits: the padding needs a second block. */
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		"248d6a61d20638b8e5c026930c3e6039"
		"a33ce45964ff2167f6ecedd419db06c1"},
	    /* 896 bits. */
	    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	     "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		"cf5b16a778af8380036ce59e7b049237"
		"0b249b11e8f07a51afac45037afee9d1"},
	};
	uint8_t d[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256(v[i].msg, strlen(v[i].msg), d);
		ck_assert_hex(d, sizeof(d), v[i].digest);
	}
	/* An empty update may pass NULL. */
	sha256(NULL, 0, d);
	ck_assert_hex(d, sizeof(d), v[0].digest);
}
END_TEST

START_TEST(sha256_million_a_in_odd_chunks)
{
	/* Chunk sizes that straddle the 64-byte blocks every which way. */
	static const size_t chunks[] = {
	    1, 3, 7, 63, 64, 65, 127, 129, 1000, 13};
	static const char *want = "cdc76e5c9914fb9281a1c7e284d73e67"
				  "f1809a48a497200e046d39ccc7112cd0";
	strads__sha256_t c;
	char a[1000];
	size_t left = 1000000, k = 0, n;
	uint8_t d[32];

	memset(a, 'a', sizeof(a));
	strads__sha256_init(&c);
	while (left > 0) {
		n = chunks[k++ % (sizeof(chunks) / sizeof(chunks[0]))];
		if (n > left)
			n = left;
		strads__sha256_update(&c, a, n);
		left -= n;
	}
	strads__sha256_final(&c, d);
	ck_assert_hex(d, sizeof(d), want);

	/* The same in one call, and in whole 1000-byte pieces. */
	{
		char *big = malloc(1000000);

		ck_assert_ptr_nonnull(big);
		memset(big, 'a', 1000000);
		sha256(big, 1000000, d);
		ck_assert_hex(d, sizeof(d), want);
		free(big);
	}
	strads__sha256_init(&c);
	for (k = 0; k < 1000; k++)
		strads__sha256_update(&c, a, sizeof(a));
	strads__sha256_final(&c, d);
	ck_assert_hex(d, sizeof(d), want);
}
END_TEST

/* Lengths around the padding boundaries: 55 bytes is the longest message
 * padded in its own block, 56 the shortest that needs another. */
START_TEST(sha256_padding_boundaries)
{
	static const struct {
		size_t n;
		const char *digest;
	} v[] = {
	    {55, "16fa57a0a3423a715d594516339f3618"
		 "9d6b5f93754a9714fef202616a9fabfe"},
	    {56, "c37b44e5f1b18554b36966f4f8e08bfb"
		 "f3164c4b6c10374d12d89850892073c5"},
	    {57, "12b234922502022f755ab8550a3d4e20"
		 "2ad39c81d961a4f59ec39d5fd83d15a7"},
	    {63, "bbba992d2c85af960fb2987a1fd05e0a"
		 "a82a3db3c740dd8982a9e273b75e36a3"},
	    {64, "66bd4633ed6f71c4ecfa4763bf7ba1c8"
		 "ec7612de9aa6c0578a7b675207c71e0b"},
	    {65, "9f7dc47107b750a1f3d35db5d9547f24"
		 "ef40da5b731b9540d4f43710a154f6c9"},
	    {119, "a3ed307b730fa77c07531300c6e4a282"
		  "330011d4d4caf6bb7b63ae05950f4b66"},
	    {120, "8e3b15d9fea7472655aa069620b7f8c2"
		  "e55ee1499f763200a7515fe826e99d20"},
	    {128, "e462c130fef8c97e34f7dc3ff3ad2f8b"
		  "3533ab849af21c10531552a2852387a4"},
	};
	uint8_t m[128], d[32];
	strads__sha256_t c;
	size_t i, j;

	/* The message is bytes (7 i + 1) mod 256. */
	for (i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256(m, v[i].n, d);
		ck_assert_hex(d, sizeof(d), v[i].digest);
		/* Byte by byte. */
		strads__sha256_init(&c);
		for (j = 0; j < v[i].n; j++)
			strads__sha256_update(&c, m + j, 1);
		strads__sha256_final(&c, d);
		ck_assert_hex(d, sizeof(d), v[i].digest);
	}
}
END_TEST

START_TEST(sha256_final_wipes)
{
	static const uint8_t zero[sizeof(strads__sha256_t)];
	strads__sha256_t c;
	uint8_t d[32];

	strads__sha256_init(&c);
	strads__sha256_update(&c, "secret", 6);
	strads__sha256_final(&c, d);
	ck_assert_mem_eq(&c, zero, sizeof(c));
}
END_TEST

/* ------------------------------------------------------------------ */
/* HMAC-SHA256.                                                        */

START_TEST(hmac_rfc4231)
{
	static const char *t6 =
	    "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char *t7 =
	    "This is a test using a larger than block-size key and a larger "
	    "than block-size data. The key needs to be hashed before being "
	    "used by the HMAC algorithm.";
	struct {
		uint8_t key[131];
		size_t klen;
		uint8_t data[160];
		size_t dlen;
		size_t maclen; /* compared bytes (case 5 is truncated) */
		const char *mac;
	} v[7];
	uint8_t mac[32], want[32];
	size_t i;

	memset(v, 0, sizeof(v));
	/* 1: a 20-byte key. */
	memset(v[0].key, 0x0b, v[0].klen = 20);
	memcpy(v[0].data, "Hi There", v[0].dlen = 8);
	v[0].mac = "b0344c61d8db38535ca8afceaf0bf12b"
		   "881dc200c9833da726e9376c2e32cff7";
	/* 2: a key shorter than the MAC. */
	memcpy(v[1].key, "Jefe", v[1].klen = 4);
	memcpy(v[1].data, "what do ya want for nothing?", v[1].dlen = 28);
	v[1].mac = "5bdcc146bf60754e6a042426089575c7"
		   "5a003f089d2739839dec58b964ec3843";
	/* 3: 50 bytes of data. */
	memset(v[2].key, 0xaa, v[2].klen = 20);
	memset(v[2].data, 0xdd, v[2].dlen = 50);
	v[2].mac = "773ea91e36800e46854db8ebd09181a7"
		   "2959098b3ef8c122d9635514ced565fe";
	/* 4: a 25-byte key 0x01..0x19. */
	for (i = 0; i < 25; i++)
		v[3].key[i] = (uint8_t)(i + 1);
	v[3].klen = 25;
	memset(v[3].data, 0xcd, v[3].dlen = 50);
	v[3].mac = "82558a389a443c0ea4cc819899f2083a"
		   "85f0faa3e578f8077a2e3ff46729665b";
	/* 5: truncated to 128 bits. */
	memset(v[4].key, 0x0c, v[4].klen = 20);
	memcpy(v[4].data, "Test With Truncation", v[4].dlen = 20);
	v[4].maclen = 16;
	v[4].mac = "a3b6167473100ee06e0c796c2955552b";
	/* 6: a 131-byte key, hashed first. */
	memset(v[5].key, 0xaa, v[5].klen = 131);
	memcpy(v[5].data, t6, v[5].dlen = strlen(t6));
	v[5].mac = "60e431591ee0b67f0d8a26aacbf5b77f"
		   "8e0bc6213728c5140546040f0ee37f54";
	/* 7: a 131-byte key and more than a block of data. */
	memset(v[6].key, 0xaa, v[6].klen = 131);
	ck_assert_uint_le(strlen(t7), sizeof(v[6].data));
	memcpy(v[6].data, t7, v[6].dlen = strlen(t7));
	v[6].mac = "9b09ffa71b942fcb27635fbcd5b0e944"
		   "bfdc63644f0713938a7f51535c3a35e2";

	for (i = 0; i < 7; i++) {
		size_t n = v[i].maclen != 0 ? v[i].maclen : 32;

		strads__hmac_sha256(
		    v[i].key, v[i].klen, v[i].data, v[i].dlen, mac);
		ck_assert_uint_eq(unhex(v[i].mac, want), n);
		ck_assert_msg(
		    memcmp(mac, want, n) == 0, "RFC 4231 case %zu", i + 1);
	}
}
END_TEST

/* Keys either side of the block size (hashed only when longer), and the
 * empty key; the key is bytes (13 i + 5) mod 256, the message "strads". */
START_TEST(hmac_key_lengths)
{
	static const struct {
		size_t klen;
		const char *mac;
	} v[] = {
	    {0, "1a457ad74b4ee680e012a72236a61230"
		"3e5e790bf674a29aaa36cb8cae2214be"},
	    {63, "1d57ee4470c074cbf70e755047a5b594"
		 "bb1e9123294ed1344b5227484cbaf8e6"},
	    {64, "ad5caa60d8146ffa79df8258084efdfc"
		 "352693f68459300898db359e960c7560"},
	    {65, "0bc7a6ac3bd503f3f96620d55440658c"
		 "d3b664093ca062e94abeeb14de2e87bb"},
	};
	uint8_t key[65], mac[32];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 13 + 5);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		strads__hmac_sha256(key, v[i].klen, "strads", 6, mac);
		ck_assert_hex(mac, sizeof(mac), v[i].mac);
	}
	/* A NULL key of length 0 is the empty key. */
	strads__hmac_sha256(NULL, 0, "strads", 6, mac);
	ck_assert_hex(mac, sizeof(mac), v[0].mac);
}
END_TEST

START_TEST(hmac_incremental_equals_oneshot)
{
	static const uint8_t zero[sizeof(strads__hmac_t)];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint8_t key[200], msg[1000], a[32], b[32];
	strads__hmac_t h;
	size_t klen, mlen, off, n, i;
	int round, rounds = test_quick() ? 50 : 500;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)test_rand(&seed);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)test_rand(&seed);
	for (round = 0; round < rounds; round++) {
		klen = test_rand(&seed) % (sizeof(key) + 1);
		mlen = test_rand(&seed) % (sizeof(msg) + 1);
		strads__hmac_sha256(key, klen, msg, mlen, a);

		strads__hmac_init(&h, key, klen);
		strads__hmac_update(&h, NULL, 0);
		for (off = 0; off < mlen; off += n) {
			/* Mostly short pieces, sometimes a long one, and
			 * some empty updates. */
			n = test_rand(&seed) % 4 == 0 ? test_rand(&seed) % 300
						      : test_rand(&seed) % 70;
			if (n > mlen - off)
				n = mlen - off;
			strads__hmac_update(&h, msg + off, n);
		}
		strads__hmac_final(&h, b);
		TEST_REQUIRE(memcmp(a, b, sizeof(a)) == 0);
		/* final leaves nothing of the key behind. */
		TEST_REQUIRE(memcmp(&h, zero, sizeof(h)) == 0);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Helpers.                                                            */

START_TEST(ct_equal)
{
	uint8_t a[64], b[64];
	size_t i;
	int bit;

	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)(i * 31 + 7);
	ck_assert_int_eq(strads__ct_equal(a, b, sizeof(a)), 1);
	ck_assert_int_eq(strads__ct_equal(a, b, 0), 1);
	ck_assert_int_eq(strads__ct_equal(a, a, sizeof(a)), 1);
	/* Every single-bit difference, at every position. */
	for (i = 0; i < sizeof(a); i++) {
		for (bit = 0; bit < 8; bit++) {
			b[i] ^= (uint8_t)(1u << bit);
			ck_assert_int_eq(strads__ct_equal(a, b, sizeof(a)), 0);
			/* The prefix before the difference is still equal. */
			ck_assert_int_eq(strads__ct_equal(a, b, i), 1);
			b[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* All bits different. */
	memset(a, 0x00, sizeof(a));
	memset(b, 0xff, sizeof(b));
	ck_assert_int_eq(strads__ct_equal(a, b, sizeof(a)), 0);
}
END_TEST

START_TEST(wipe)
{
	static const uint8_t zero[100];
	uint8_t buf[100];

	memset(buf, 0xa5, sizeof(buf));
	strads__wipe(buf, sizeof(buf));
	ck_assert_mem_eq(buf, zero, sizeof(buf));
	strads__wipe(buf, 0);
	strads__wipe(NULL, 0);
}
END_TEST

START_TEST(random_bytes)
{
	static const uint8_t zero[1000];
	uint8_t a[32], b[32], big[1000];

	ck_assert_int_eq(strads__random_bytes(a, sizeof(a)), 0);
	ck_assert_int_eq(strads__random_bytes(b, sizeof(b)), 0);
	/* Equal by chance with probability 2^-256. */
	ck_assert_int_eq(strads__ct_equal(a, b, sizeof(a)), 0);
	ck_assert_int_eq(strads__random_bytes(a, 0), 0);
	/* More than getrandom(2) promises to fill in one call. */
	ck_assert_int_eq(strads__random_bytes(big, sizeof(big)), 0);
	ck_assert_int_ne(memcmp(big, zero, sizeof(big)), 0);
	ck_assert_int_ne(memcmp(big + 900, zero, 100), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The cluster secret.                                                 */

#define ENVVAR "STRADS_TEST_CLUSTER_SECRET"

static char tmpdir[256];

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/strads-hmac-XXXXXX",
	    t != NULL && t[0] != '\0' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	unsetenv(ENVVAR);
}

static void
teardown(void)
{
	char p[512];
	struct dirent *e;
	DIR *d = opendir(tmpdir);

	unsetenv(ENVVAR);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		if (rmdir(p) != 0)
			unlink(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

/* The path of name in the test's directory; four live at a time. */
static const char *
tpath(const char *name)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

/* Writes content[0..len) to name with the given mode; returns its path. */
static const char *
wfile_mode(const char *name, const void *content, size_t len, mode_t mode)
{
	const char *p = tpath(name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
	return p;
}

static const char *
wfile(const char *name, const char *content)
{
	return wfile_mode(name, content, strlen(content), 0600);
}

/* Loads and asserts success with the secret want[0..wlen). */
static void
load_expect(const char *file, const char *envvar, const void *want, size_t wlen)
{
	uint8_t *s = NULL;
	size_t n = 0;
	char err[512];

	ck_assert_int_eq(
	    strads__secret_load(file, envvar, &s, &n, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(n, wlen);
	ck_assert_mem_eq(s, want, wlen);
	strads__secret_free(s, n);
}

/* Loads and asserts the error code rc, with a message containing
 * mention (when not NULL); returns the message. */
static const char *
load_fail(const char *file, const char *envvar, int rc, const char *mention)
{
	static char err[512];
	uint8_t *s = (uint8_t *)err; /* must come back NULL */
	size_t n = 99;

	err[0] = '\0';
	ck_assert_int_eq(
	    strads__secret_load(file, envvar, &s, &n, err, sizeof(err)), rc);
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(n, 0);
	ck_assert_msg(err[0] != '\0', "no error message");
	if (mention != NULL)
		ck_assert_msg(strstr(err, mention) != NULL,
		    "error message '%s' does not mention '%s'", err, mention);
	return err;
}

START_TEST(secret_file)
{
	load_expect(wfile("nl", "s3cret\n"), NULL, "s3cret", 6);
	load_expect(wfile("plain", "s3cret"), NULL, "s3cret", 6);
	load_expect(wfile("crlf", "s3cret\r\n"), NULL, "s3cret", 6);
	/* Only one line ending goes; the rest is the secret. */
	load_expect(wfile("two", "s3cret\n\n"), NULL, "s3cret\n", 7);
	load_expect(wfile("cr", "s3cret\r"), NULL, "s3cret\r", 7);
	load_expect(wfile("lines", "a\nb\n"), NULL, "a\nb", 3);
	/* Binary, with a NUL inside. */
	load_expect(wfile_mode("bin", "\x01\x00\xff", 3, 0600), NULL,
	    "\x01\x00\xff", 3);
	/* A file given wins over the environment. */
	ck_assert_int_eq(setenv(ENVVAR, "from-env", 1), 0);
	load_expect(wfile("wins", "from-file\n"), ENVVAR, "from-file", 9);
}
END_TEST

START_TEST(secret_file_limits)
{
	static char big[STRADS__SECRET_MAX + 2];
	const char *msg;

	memset(big, 'k', sizeof(big));
	/* Exactly the limit is fine. */
	load_expect(wfile_mode("max", big, STRADS__SECRET_MAX, 0600), NULL, big,
	    STRADS__SECRET_MAX);
	/* One more byte is not, even if it is the newline; the message
	 * names the file and none of its contents. */
	big[STRADS__SECRET_MAX] = '\n';
	wfile_mode("over", big, STRADS__SECRET_MAX + 1, 0600);
	msg = load_fail(tpath("over"), NULL, STRADS_ELIMIT, tpath("over"));
	ck_assert_ptr_null(strstr(msg, "kkkk"));
	/* Empty, before and after stripping the newline. */
	load_fail(wfile("empty", ""), NULL, STRADS_EFORMAT, tpath("empty"));
	load_fail(
	    wfile("nl-only", "\n"), NULL, STRADS_EFORMAT, tpath("nl-only"));
	load_fail(wfile("crlf-only", "\r\n"), NULL, STRADS_EFORMAT,
	    tpath("crlf-only"));
	/* An empty file does not fall back to the environment. */
	ck_assert_int_eq(setenv(ENVVAR, "from-env", 1), 0);
	load_fail(tpath("empty"), ENVVAR, STRADS_EFORMAT, tpath("empty"));
}
END_TEST

START_TEST(secret_file_unreadable)
{
	const char *p = tpath("no-such-file");

	load_fail(p, NULL, STRADS_ENOENT, p);
	/* A missing file does not fall back to the environment either. */
	ck_assert_int_eq(setenv(ENVVAR, "from-env", 1), 0);
	load_fail(p, ENVVAR, STRADS_ENOENT, p);
	/* A directory. */
	p = tpath("dir");
	ck_assert_int_eq(mkdir(p, 0700), 0);
	load_fail(p, NULL, STRADS_EIO, p);
	/* No read permission (root reads anything: skip the check). */
	if (geteuid() != 0) {
		p = wfile_mode("locked", "s3cret", 6, 0000);
		load_fail(p, NULL, STRADS_EIO, p);
	}
	/* A NULL err is fine, and so is a short one. */
	{
		uint8_t *s;
		size_t n;
		char err[8];

		ck_assert_int_eq(
		    strads__secret_load(tpath("none"), NULL, &s, &n, NULL, 0),
		    STRADS_ENOENT);
		ck_assert_int_eq(strads__secret_load(tpath("none"), NULL, &s,
				     &n, err, sizeof(err)),
		    STRADS_ENOENT);
		ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
		ck_assert_int_eq(
		    strads__secret_load(tpath("none"), NULL, NULL, &n, NULL, 0),
		    STRADS_EINVAL);
	}
}
END_TEST

/* Runs strads__secret_load() on file with stderr sent to a file, and
 * returns what was logged. */
static const char *
load_capturing_stderr(const char *file)
{
	static char logged[1024];
	const char *lp = tpath("stderr.txt");
	int fd, saved;
	ssize_t n;
	uint8_t *s;
	size_t len;

	fflush(stderr);
	fd = open(lp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	ck_assert_int_eq(strads__secret_load(file, NULL, &s, &len, NULL, 0), 0);
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	strads__secret_free(s, len);
	n = pread(fd, logged, sizeof(logged) - 1, 0);
	ck_assert_int_ge(n, 0);
	logged[n] = '\0';
	close(fd);
	unlink(lp);
	return logged;
}

START_TEST(secret_file_permissions)
{
	const char *p, *logged;

	strads_log_set_level(STRADS_LOG_WARN);
	/* Readable by others: loaded, with a warning naming the file. */
	p = wfile_mode("open", "s3cret\n", 7, 0644);
	logged = load_capturing_stderr(p);
	ck_assert_msg(strstr(logged, p) != NULL && strstr(logged, "0644"),
	    "no warning naming %s: '%s'", p, logged);
	ck_assert_ptr_null(strstr(logged, "s3cret"));
	p = wfile_mode("group", "s3cret\n", 7, 0640);
	logged = load_capturing_stderr(p);
	ck_assert_ptr_nonnull(strstr(logged, p));
	/* Owner only: silent. */
	p = wfile_mode("tight", "s3cret\n", 7, 0600);
	logged = load_capturing_stderr(p);
	ck_assert_str_eq(logged, "");
	p = wfile_mode("tight-ro", "s3cret\n", 7, 0400);
	logged = load_capturing_stderr(p);
	ck_assert_str_eq(logged, "");
}
END_TEST

START_TEST(secret_env)
{
	char big[STRADS__SECRET_MAX + 2];

	ck_assert_int_eq(setenv(ENVVAR, "env-s3cret", 1), 0);
	load_expect(NULL, ENVVAR, "env-s3cret", 10);
	/* The value is used as is: a newline in it is part of the secret. */
	ck_assert_int_eq(setenv(ENVVAR, "env\n", 1), 0);
	load_expect(NULL, ENVVAR, "env\n", 4);
	/* Set but empty counts as not set. */
	ck_assert_int_eq(setenv(ENVVAR, "", 1), 0);
	load_fail(NULL, ENVVAR, STRADS_ENOENT, ENVVAR);
	/* Too long. */
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(setenv(ENVVAR, big, 1), 0);
	ck_assert_ptr_null(
	    strstr(load_fail(NULL, ENVVAR, STRADS_ELIMIT, ENVVAR), "kkkk"));
}
END_TEST

START_TEST(secret_nothing)
{
	/* Neither a file nor a set variable. */
	load_fail(NULL, ENVVAR, STRADS_ENOENT, ENVVAR);
	load_fail(NULL, NULL, STRADS_ENOENT, "secret");
	strads__secret_free(NULL, 0);
}
END_TEST

static Suite *
hmac_suite(void)
{
	Suite *s = suite_create("hmac");
	TCase *th = tcase_create("sha256");
	TCase *tm = tcase_create("hmac");
	TCase *tu = tcase_create("util");
	TCase *ts = tcase_create("secret");

	/* A million bytes hashed three ways: slow under valgrind. */
	tcase_set_timeout(th, 60);
	tcase_add_test(th, sha256_fips_vectors);
	tcase_add_test(th, sha256_million_a_in_odd_chunks);
	tcase_add_test(th, sha256_padding_boundaries);
	tcase_add_test(th, sha256_final_wipes);
	suite_add_tcase(s, th);

	tcase_set_timeout(tm, 60);
	tcase_add_test(tm, hmac_rfc4231);
	tcase_add_test(tm, hmac_key_lengths);
	tcase_add_test(tm, hmac_incremental_equals_oneshot);
	suite_add_tcase(s, tm);

	tcase_add_test(tu, ct_equal);
	tcase_add_test(tu, wipe);
	tcase_add_test(tu, random_bytes);
	suite_add_tcase(s, tu);

	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_add_test(ts, secret_file);
	tcase_add_test(ts, secret_file_limits);
	tcase_add_test(ts, secret_file_unreadable);
	tcase_add_test(ts, secret_file_permissions);
	tcase_add_test(ts, secret_env);
	tcase_add_test(ts, secret_nothing);
	suite_add_tcase(s, ts);
	return s;
}

STRADS_TEST_MAIN(hmac_suite)
