/* test_tls_keys.c - key derivation against published vectors: the TLS 1.2
 * PRF (SHA-256 and SHA-384 vectors published for the IETF TLS WG), RFC
 * 8448 §3's TLS 1.3 secrets, keys and IVs, and the key block layout of
 * RFC 5246 §6.3. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "tls_keys.h"

/* "9b be 43 ..." -> bytes; returns the count. */
static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;
	int used;
	while (sscanf(s, " %2x%n", &v, &used) == 1) {
		out[n++] = (uint8_t)v;
		s += used;
	}
	return n;
}

static bool same(const uint8_t *got, const char *want_hex)
{
	uint8_t want[256];
	size_t n = unhex(want_hex, want);
	/* an empty or unreadable vector must not pass */
	return n > 0 && memcmp(got, want, n) == 0;
}

static void test_prf_sha256(void)
{
	uint8_t secret[16], seed[16], out[100];
	unhex("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35", secret);
	unhex("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c", seed);
	CU_ASSERT_TRUE_FATAL(tls_prf(0x0303, 32, secret, 16, "test label",
				     seed, 16, out, sizeof out));
	CU_ASSERT_TRUE(same(out,
		"e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53 c2 aa b2 1d 07 c3 d4 95 32 9b 52 d4 e6 1e db 5a"
		"6b 30 17 91 e9 0d 35 c9 c9 a4 6b 4e 14 ba f9 af 0f a0 22 f7 07 7d ef 17 ab fd 37 97 c0 56 4b ab"
		"4f bc 91 66 6e 9d ef 9b 97 fc e3 4f 79 67 89 ba a4 80 82 d1 22 ee 42 c5 a7 2e 5a 51 10 ff f7 01"
		"87 34 7b 66"));
}

static void test_prf_sha384(void)
{
	uint8_t secret[16], seed[16], out[148];
	unhex("b8 0b 73 3d 6c ee fc dc 71 56 6e a4 8e 55 67 df", secret);
	unhex("cd 66 5c f6 a8 44 7d d6 ff 8b 27 55 5e db 74 65", seed);
	CU_ASSERT_TRUE_FATAL(tls_prf(0x0303, 48, secret, 16, "test label",
				     seed, 16, out, sizeof out));
	CU_ASSERT_TRUE(same(out,
		"7b 0c 18 e9 ce d4 10 ed 18 04 f2 cf a3 4a 33 6a 1c 14 df fb 49 00 bb 5f d7 94 21 07 e8 1c 83 cd"
		"e9 ca 0f aa 60 be 9f e3 4f 82 b1 23 3c 91 46 a0 e5 34 cb 40 0f ed 27 00 88 4f 9d c2 36 f8 0e dd"
		"8b fa 96 11 44 c9 e8 d7 92 ec a7 22 a7 b3 2f c3 d4 16 d4 73 eb c2 c5 fd 4a bf da d0 5d 91 84 25"
		"9b 5b f8 cd 4d 90 fa 0d 31 e2 de c4 79 e4 f1 a2 60 66 f2 ee a9 a6 92 36 a3 e5 26 55 c9 e9 ae e6"
		"91 c8 f3 a2 68 54 30 8d 5e aa 3b e8 5e 09 90 70 3d 73 e5 6f"));
}

/* RFC 8448 §3, "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256). */
#define HS_SECRET "1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b 01 04 6a a6 b9 9f 69 1e d2 21 a9 f0 ca 04 3f be ac"
#define CH_SH_HASH "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8"
#define C_HS "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21"
#define S_HS "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38"
#define C_AP "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5"
#define S_AP "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43"

static void test_rfc8448_secrets(void)
{
	uint8_t hs[32], hash[32], out[32];
	unhex(HS_SECRET, hs);
	unhex(CH_SH_HASH, hash);
	/* Derive-Secret(Handshake Secret, "s hs traffic", CH..SH) (§7.1) */
	CU_ASSERT_TRUE_FATAL(tls13_expand_label(32, hs, "s hs traffic", hash,
						32, out, 32));
	CU_ASSERT_TRUE(same(out, S_HS));
	CU_ASSERT_TRUE_FATAL(tls13_expand_label(32, hs, "c hs traffic", hash,
						32, out, 32));
	CU_ASSERT_TRUE(same(out, C_HS));
}

static void test_rfc8448_keys(void)
{
	const struct tls_suite *s = tls_suite_find(0x1301);
	struct tls_dir_keys k;
	uint8_t secret[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(s->tls13);
	unhex(S_HS, secret);
	CU_ASSERT_TRUE_FATAL(tls13_keys(s, secret, &k));
	CU_ASSERT_TRUE(same(k.key, "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc"));
	CU_ASSERT_TRUE(same(k.iv, "5d 31 3e b2 67 12 76 ee 13 00 0b 30"));
	unhex(C_HS, secret);
	CU_ASSERT_TRUE_FATAL(tls13_keys(s, secret, &k));
	CU_ASSERT_TRUE(same(k.key, "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01"));
	CU_ASSERT_TRUE(same(k.iv, "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f"));
	unhex(S_AP, secret);
	CU_ASSERT_TRUE_FATAL(tls13_keys(s, secret, &k));
	CU_ASSERT_TRUE(same(k.key, "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56"));
	CU_ASSERT_TRUE(same(k.iv, "cf 78 2b 88 dd 83 54 9a ad f1 e9 84"));
	unhex(C_AP, secret);
	CU_ASSERT_TRUE_FATAL(tls13_keys(s, secret, &k));
	CU_ASSERT_TRUE(same(k.key, "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51"));
	CU_ASSERT_TRUE(same(k.iv, "5b 78 92 3d ee 08 57 90 33 e5 23 d9"));
}

/* KeyUpdate: the next secret is Expand-Label(secret, "traffic upd"), and
 * the generations differ from each other. */
static void test_next_secret(void)
{
	uint8_t s1[32], s2[32], want[32];
	unhex(C_AP, s1);
	CU_ASSERT_TRUE_FATAL(tls13_expand_label(32, s1, "traffic upd", NULL, 0,
						want, 32));
	memcpy(s2, s1, 32);
	CU_ASSERT_TRUE_FATAL(tls13_next_secret(32, s2));
	CU_ASSERT_EQUAL(memcmp(s2, want, 32), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(s2, s1, 32), 0);
}

/* RFC 5246 §6.3: MAC keys, then write keys, then IVs, client first. */
static void test_key_block_layout(void)
{
	uint8_t master[48], cr[32], sr[32], seed[64], block[200];
	struct tls_dir_keys c, s;

	for (int i = 0; i < 48; i++)
		master[i] = (uint8_t)i;
	memset(cr, 0xc1, 32);
	memset(sr, 0x51, 32);
	memcpy(seed, sr, 32);
	memcpy(seed + 32, cr, 32);
	CU_ASSERT_TRUE_FATAL(tls_prf(0x0303, 32, master, 48, "key expansion",
				     seed, 64, block, sizeof block));

	const struct tls_suite *gcm = tls_suite_find(0xc02f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gcm);
	CU_ASSERT_TRUE_FATAL(tls12_keys(gcm, 0x0303, master, cr, sr, &c, &s));
	CU_ASSERT_EQUAL(memcmp(c.key, block, 16), 0);
	CU_ASSERT_EQUAL(memcmp(s.key, block + 16, 16), 0);
	CU_ASSERT_EQUAL(memcmp(c.iv, block + 32, 4), 0);
	CU_ASSERT_EQUAL(memcmp(s.iv, block + 36, 4), 0);

	const struct tls_suite *cbc = tls_suite_find(0xc013);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cbc);
	CU_ASSERT_EQUAL(cbc->mac_len, 20);
	CU_ASSERT_TRUE_FATAL(tls12_keys(cbc, 0x0303, master, cr, sr, &c, &s));
	CU_ASSERT_EQUAL(memcmp(c.mac, block, 20), 0);
	CU_ASSERT_EQUAL(memcmp(s.mac, block + 20, 20), 0);
	CU_ASSERT_EQUAL(memcmp(c.key, block + 40, 16), 0);
	CU_ASSERT_EQUAL(memcmp(s.key, block + 56, 16), 0);

	/* a SHA-384 suite uses the SHA-384 PRF */
	const struct tls_suite *g384 = tls_suite_find(0xc030);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g384);
	CU_ASSERT_EQUAL(g384->hash_len, 48);
	CU_ASSERT_TRUE_FATAL(tls12_keys(g384, 0x0303, master, cr, sr, &c, &s));
	CU_ASSERT_NOT_EQUAL(memcmp(c.key, block, 32), 0);
	CU_ASSERT_PTR_NULL(tls_suite_find(0x0005)); /* RC4: not decrypted */
}

int add_tls_keys_suite(void)
{
	CU_pSuite s = CU_add_suite("tls_keys", NULL, NULL);
	if (!s ||
	    !CU_add_test(s, "TLS 1.2 PRF, SHA-256 vector", test_prf_sha256) ||
	    !CU_add_test(s, "TLS 1.2 PRF, SHA-384 vector", test_prf_sha384) ||
	    !CU_add_test(s, "RFC 8448: HKDF-Expand-Label traffic secrets",
			 test_rfc8448_secrets) ||
	    !CU_add_test(s, "RFC 8448: traffic keys and IVs",
			 test_rfc8448_keys) ||
	    !CU_add_test(s, "KeyUpdate: next traffic secret", test_next_secret) ||
	    !CU_add_test(s, "TLS 1.2 key block layout", test_key_block_layout))
		return -1;
	return 0;
}
