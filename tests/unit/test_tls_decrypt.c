/* test_tls_decrypt.c - the TLS record layer and decryption: RFC 8448's
 * client application record, TLS 1.2 AES-GCM / ChaCha20-Poly1305 /
 * AES-CBC (MAC-then-encrypt and encrypt-then-MAC), TLS 1.3 with a
 * HelloRetryRequest, the encrypted handshake and a KeyUpdate, a wrong
 * key, garbage; every conversation fed whole, one byte at a time and
 * split at every point of every segment, with identical events. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "keylog.h"
#include "suites.h"
#include "tls_decrypt.h"
#include "tls_keys.h"

/* ---- building conversations ------------------------------------------ */

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void u8(struct buf *b, unsigned v)
{
	b->b[b->n++] = (uint8_t)v;
}

static void u16(struct buf *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v & 0xff);
}

static void u24(struct buf *b, size_t v)
{
	u8(b, (unsigned)(v >> 16) & 0xff);
	u16(b, v & 0xffff);
}

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

static void tohex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void record(struct buf *out, uint8_t type, const uint8_t *p, size_t n)
{
	u8(out, type);
	u16(out, 0x0303);
	u16(out, (unsigned)n);
	put(out, p, n);
}

static void client_hello(struct buf *m, const uint8_t random[32])
{
	m->n = 0;
	u8(m, 1);
	u24(m, 2 + 32 + 1 + 4 + 2 + 2 + 7);
	u16(m, 0x0303);
	put(m, random, 32);
	u8(m, 0);
	u16(m, 2); u16(m, 0x1301);
	u8(m, 1); u8(m, 0);
	u16(m, 7);
	u16(m, 43); u16(m, 3); u8(m, 2); u16(m, 0x0304);
}

static void server_hello(struct buf *m, const uint8_t random[32],
			 uint16_t version, uint16_t cipher, bool etm)
{
	size_t ext = (version == 0x0304 ? 6 : 0) + (etm ? 4 : 0);
	m->n = 0;
	u8(m, 2);
	u24(m, 2 + 32 + 1 + 2 + 1 + 2 + ext);
	u16(m, 0x0303);
	put(m, random, 32);
	u8(m, 0);
	u16(m, cipher);
	u8(m, 0);
	u16(m, (unsigned)ext);
	if (version == 0x0304) {
		u16(m, 43); u16(m, 2); u16(m, 0x0304);
	}
	if (etm) {
		u16(m, 22); u16(m, 0);
	}
}

static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
	0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* A record protector, as a TLS peer would write (EVP, independently of
 * the decoder's code). */
struct sender {
	const struct tls_suite *s;
	struct tls_dir_keys k;
	uint64_t seq;
	bool tls13, etm;
};

static void be64(uint64_t v, uint8_t out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static const EVP_CIPHER *cipher_of(const struct tls_suite *s)
{
	if (s->kind == TLS_CK_CHACHA)
		return EVP_chacha20_poly1305();
	if (s->kind == TLS_CK_AES_GCM)
		return s->key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	return s->key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

static void seal(const struct tls_suite *s, const uint8_t *key,
		 const uint8_t nonce[12], const uint8_t *aad, size_t aad_n,
		 const uint8_t *pt, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int l;
	EVP_EncryptInit_ex(x, cipher_of(s), NULL, key, nonce);
	EVP_EncryptUpdate(x, NULL, &l, aad, (int)aad_n);
	EVP_EncryptUpdate(x, out, &l, pt, (int)n);
	EVP_EncryptFinal_ex(x, out + l, &l);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, out + n);
	EVP_CIPHER_CTX_free(x);
}

static void hmac(const struct tls_suite *s, const uint8_t *key,
		 const uint8_t *p, size_t n, uint8_t *out)
{
	const char *md = s->mac_len == 20 ? "SHA1" :
			 s->mac_len == 32 ? "SHA256" : "SHA384";
	size_t l;
	EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key, s->mac_len, p, n, out,
		  64, &l);
}

static void send_rec(struct sender *w, struct buf *out, uint8_t type,
		     const uint8_t *pt, size_t n)
{
	uint8_t nonce[12], sq[8], hdr[13], body[4096];
	size_t blen;

	be64(w->seq, sq);
	if (w->tls13 || w->s->kind == TLS_CK_CHACHA) {
		memcpy(nonce, w->k.iv, 12);
		for (int i = 0; i < 8; i++)
			nonce[4 + i] ^= sq[i];
	}
	if (w->tls13) {
		uint8_t inner[4096];
		memcpy(inner, pt, n);
		inner[n] = type;
		inner[n + 1] = 0; /* one byte of padding (RFC 8446 §5.4) */
		blen = n + 2 + 16;
		uint8_t h5[5] = { 23, 3, 3, (uint8_t)(blen >> 8), (uint8_t)blen };
		seal(w->s, w->k.key, nonce, h5, 5, inner, n + 2, body);
		record(out, 23, body, blen);
	} else if (w->s->kind != TLS_CK_AES_CBC) {
		memcpy(hdr, sq, 8);
		hdr[8] = type; hdr[9] = 3; hdr[10] = 3;
		hdr[11] = (uint8_t)(n >> 8); hdr[12] = (uint8_t)n;
		size_t off = 0;
		if (w->s->kind == TLS_CK_AES_GCM) {
			memcpy(nonce, w->k.iv, 4);
			memcpy(nonce + 4, sq, 8);
			memcpy(body, sq, 8);
			off = 8;
		}
		seal(w->s, w->k.key, nonce, hdr, 13, pt, n, body + off);
		blen = off + n + 16;
		record(out, type, body, blen);
	} else {
		uint8_t plain[4096], mac[64], macin[4200];
		size_t m = w->s->mac_len, pn = n;
		memcpy(plain, pt, n);
		if (!w->etm) {
			memcpy(macin, sq, 8);
			macin[8] = type; macin[9] = 3; macin[10] = 3;
			macin[11] = (uint8_t)(n >> 8); macin[12] = (uint8_t)n;
			memcpy(macin + 13, pt, n);
			hmac(w->s, w->k.mac, macin, 13 + n, mac);
			memcpy(plain + pn, mac, m);
			pn += m;
		}
		uint8_t pad = (uint8_t)(15 - pn % 16);
		memset(plain + pn, pad, (size_t)pad + 1);
		pn += (size_t)pad + 1;
		for (int i = 0; i < 16; i++)
			body[i] = (uint8_t)(w->seq * 7 + (uint64_t)i);
		EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
		int l;
		EVP_EncryptInit_ex(x, cipher_of(w->s), NULL, w->k.key, body);
		EVP_CIPHER_CTX_set_padding(x, 0);
		EVP_EncryptUpdate(x, body + 16, &l, plain, (int)pn);
		EVP_CIPHER_CTX_free(x);
		blen = 16 + pn;
		if (w->etm) {
			memcpy(macin, sq, 8);
			macin[8] = type; macin[9] = 3; macin[10] = 3;
			macin[11] = (uint8_t)(blen >> 8); macin[12] = (uint8_t)blen;
			memcpy(macin + 13, body, blen);
			hmac(w->s, w->k.mac, macin, 13 + blen, body + blen);
			blen += m;
		}
		record(out, type, body, blen);
	}
	w->seq++;
}

/* ---- running a conversation ------------------------------------------- */

#define MAX_SEG 16

struct convo {
	int dir[MAX_SEG];
	struct buf seg[MAX_SEG];
	int n;
};

static struct buf *seg(struct convo *c, int dir)
{
	c->dir[c->n] = dir;
	c->seg[c->n].n = 0;
	return &c->seg[c->n++];
}

struct log {
	uint8_t app[2][4096];
	size_t app_n[2];
	char ev[2048];
	size_t ev_n;
};

static void logf_(struct log *l, const char *fmt, unsigned a, unsigned b,
		  unsigned c)
{
	int n = snprintf(l->ev + l->ev_n, sizeof l->ev - l->ev_n, fmt, a, b, c);
	if (n > 0 && l->ev_n + (size_t)n < sizeof l->ev)
		l->ev_n += (size_t)n;
}

static void cb_record(void *ctx, int dir, uint8_t type, uint16_t ver,
		      uint32_t len)
{
	(void)ver;
	logf_(ctx, "R%u:%u/%u ", (unsigned)dir, type, len);
}

static void cb_hs(void *ctx, int dir, const uint8_t *m, size_t n, bool dec)
{
	logf_(ctx, "H%u:%u ", (unsigned)dir, m[0], 0);
	logf_(ctx, dec ? "d%u " : "c%u ", (unsigned)n, 0, 0);
}

static void cb_alert(void *ctx, int dir, uint8_t level, uint8_t desc,
		     bool dec)
{
	logf_(ctx, "A%u:%u/%u ", (unsigned)dir, level, desc);
	(void)dec;
}

static void cb_app(void *ctx, int dir, const uint8_t *p, size_t n)
{
	struct log *l = ctx;
	memcpy(l->app[dir] + l->app_n[dir], p, n);
	l->app_n[dir] += n;
}

static void cb_note(void *ctx, int dir, int level, const char *code,
		    const char *text)
{
	struct log *l = ctx;
	(void)text;
	int n = snprintf(l->ev + l->ev_n, sizeof l->ev - l->ev_n, "N%d%d:%s ",
			 dir, level, code);
	if (n > 0 && l->ev_n + (size_t)n < sizeof l->ev)
		l->ev_n += (size_t)n;
}

/* mode: 0 whole segments, 1 one byte at a time, 2 segment `which` cut at
 * `cut`. */
static struct tls_dec_info run(const struct convo *c, const struct keylog *kl,
			       struct log *l, int mode, int which, size_t cut)
{
	struct tls_dec_cb cb = {
		.ctx = l, .record = cb_record, .handshake = cb_hs,
		.alert = cb_alert, .app_data = cb_app, .note = cb_note,
	};
	memset(l, 0, sizeof *l);
	struct tls_dec *td = tls_dec_new(kl, &cb);
	for (int i = 0; i < c->n; i++) {
		const struct buf *s = &c->seg[i];
		if (mode == 1) {
			for (size_t k = 0; k < s->n; k++)
				tls_dec_feed(td, c->dir[i], s->b + k, 1);
		} else if (mode == 2 && i == which) {
			tls_dec_feed(td, c->dir[i], s->b, cut);
			tls_dec_feed(td, c->dir[i], s->b + cut, s->n - cut);
		} else {
			tls_dec_feed(td, c->dir[i], s->b, s->n);
		}
	}
	struct tls_dec_info in = *tls_dec_info(td);
	tls_dec_free(td);
	return in;
}

static bool same_log(const struct log *a, const struct log *b)
{
	return a->ev_n == b->ev_n && memcmp(a->ev, b->ev, a->ev_n) == 0 &&
	       a->app_n[0] == b->app_n[0] && a->app_n[1] == b->app_n[1] &&
	       memcmp(a->app[0], b->app[0], a->app_n[0]) == 0 &&
	       memcmp(a->app[1], b->app[1], a->app_n[1]) == 0;
}

/* Runs whole, then one byte at a time, then every cut of every segment;
 * all must give the same events.  Returns the whole run's result. */
static struct tls_dec_info run_all(const struct convo *c,
				   const struct keylog *kl, struct log *whole)
{
	static struct log other;
	struct tls_dec_info in = run(c, kl, whole, 0, 0, 0);
	run(c, kl, &other, 1, 0, 0);
	CU_ASSERT_TRUE(same_log(whole, &other));
	bool all = true;
	for (int i = 0; i < c->n; i++)
		for (size_t cut = 0; cut <= c->seg[i].n; cut++) {
			run(c, kl, &other, 2, i, cut);
			all = all && same_log(whole, &other);
		}
	CU_ASSERT_TRUE(all);
	return in;
}

static struct keylog *keylog_of(const char *text)
{
	struct keylog *kl = keylog_new();
	keylog_feed(kl, (const uint8_t *)text, strlen(text));
	keylog_end(kl);
	return kl;
}

/* ---- tests ------------------------------------------------------------ */

static const uint8_t ccs[1] = { 1 };

/* RFC 8448 §3: the client's first application data record, decrypted
 * from CLIENT_TRAFFIC_SECRET_0 alone (the handshake secrets absent). */
static void test_rfc8448_record(void)
{
	static struct convo c;
	static struct log l;
	struct buf m;
	uint8_t cr[32], sr[32], rec[80];
	char line[300], crh[65];

	for (int i = 0; i < 32; i++) {
		cr[i] = (uint8_t)(0x40 + i);
		sr[i] = (uint8_t)(0x80 + i);
	}
	c.n = 0;
	client_hello(&m, cr);
	record(seg(&c, 0), 22, m.b, m.n);
	server_hello(&m, sr, 0x0304, 0x1301, false);
	record(seg(&c, 1), 22, m.b, m.n);
	struct buf *s = seg(&c, 0);
	record(s, 20, ccs, 1);
	size_t n = unhex("17 03 03 00 43 a2 3f 70 54 b6 2c 94"
		"d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b"
		"98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62"
		"92 a2 97 70 14 bd 1e 3d ea e6 3a ee bb 21 69 49 15 e4", rec);
	CU_ASSERT_EQUAL(n, 72);
	put(s, rec, n);

	tohex(cr, 32, crh);
	snprintf(line, sizeof line, "CLIENT_TRAFFIC_SECRET_0 %s 9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5\n", crh);
	struct keylog *kl = keylog_of(line);
	struct tls_dec_info in = run_all(&c, kl, &l);
	CU_ASSERT_TRUE(in.keys_found);
	CU_ASSERT_TRUE(in.keys_partial);
	CU_ASSERT_EQUAL(in.decrypted[0], 1);
	CU_ASSERT_EQUAL_FATAL(l.app_n[0], 50);
	for (int i = 0; i < 50; i++)
		CU_ASSERT_EQUAL(l.app[0][i], i);
	CU_ASSERT_EQUAL(l.app_n[1], 0);
	keylog_free(kl);
}

/* TLS 1.2: a full handshake with each side's encrypted Finished and
 * application data after its ChangeCipherSpec (RFC 5246 §7.1). */
static void tls12_case(uint16_t suite, bool etm)
{
	static struct convo c;
	static struct log l;
	struct buf m;
	uint8_t cr[32], sr[32], master[48];
	char line[300], crh[65], mh[97];
	const struct tls_suite *s = tls_suite_find(suite);
	struct sender cw = { .s = s, .etm = etm }, sw = { .s = s, .etm = etm };
	static const char req[] = "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\n\r\n";
	static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
	static const uint8_t fin[16] = { 20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8,
					 9, 10, 11, 12 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (int i = 0; i < 32; i++) {
		cr[i] = (uint8_t)(i * 3 + suite);
		sr[i] = (uint8_t)(i * 5);
	}
	for (int i = 0; i < 48; i++)
		master[i] = (uint8_t)(i + 100);
	CU_ASSERT_TRUE_FATAL(tls12_keys(s, 0x0303, master, cr, sr, &cw.k, &sw.k));
	c.n = 0;
	client_hello(&m, cr);
	record(seg(&c, 0), 22, m.b, m.n);
	server_hello(&m, sr, 0x0303, suite, etm);
	struct buf *b = seg(&c, 1);
	/* the ServerHello split over two records, then ServerHelloDone
	 * coalesced with its second half */
	record(b, 22, m.b, 10);
	uint8_t rest[200];
	memcpy(rest, m.b + 10, m.n - 10);
	memcpy(rest + m.n - 10, (uint8_t[]){ 14, 0, 0, 0 }, 4);
	record(b, 22, rest, m.n - 10 + 4);
	b = seg(&c, 0);
	record(b, 20, ccs, 1);
	send_rec(&cw, b, 22, fin, sizeof fin);
	b = seg(&c, 1);
	record(b, 20, ccs, 1);
	send_rec(&sw, b, 22, fin, sizeof fin);
	send_rec(&cw, seg(&c, 0), 23, (const uint8_t *)req, strlen(req));
	send_rec(&sw, seg(&c, 1), 23, (const uint8_t *)resp, 20);
	send_rec(&sw, seg(&c, 1), 23, (const uint8_t *)resp + 20,
		 strlen(resp) - 20);
	send_rec(&cw, seg(&c, 0), 21, (const uint8_t[]){ 1, 0 }, 2);

	tohex(cr, 32, crh);
	tohex(master, 48, mh);
	snprintf(line, sizeof line, "CLIENT_RANDOM %s %s\n", crh, mh);
	struct keylog *kl = keylog_of(line);
	struct tls_dec_info in = run_all(&c, kl, &l);
	CU_ASSERT_TRUE(in.keys_found);
	CU_ASSERT_EQUAL(in.etm, etm);
	CU_ASSERT_EQUAL(in.decrypted[0], 3);
	CU_ASSERT_EQUAL(in.decrypted[1], 3);
	CU_ASSERT_EQUAL(in.auth_failures[0] + in.auth_failures[1], 0);
	CU_ASSERT_EQUAL(l.app_n[0], strlen(req));
	CU_ASSERT_EQUAL(memcmp(l.app[0], req, strlen(req)), 0);
	CU_ASSERT_EQUAL(l.app_n[1], strlen(resp));
	CU_ASSERT_EQUAL(memcmp(l.app[1], resp, strlen(resp)), 0);
	/* the split ServerHello was reassembled, the Finished decrypted,
	 * the close_notify read */
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "H1:2 c"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "H1:14 c4 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "H0:20 d16 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "H1:20 d16 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "A0:1/0 "));
	keylog_free(kl);

	/* The wrong master secret: a clear note, no garbage. */
	master[0] ^= 1;
	tohex(master, 48, mh);
	snprintf(line, sizeof line, "CLIENT_RANDOM %s %s\n", crh, mh);
	kl = keylog_of(line);
	in = run(&c, kl, &l, 0, 0, 0);
	CU_ASSERT_TRUE(in.failed[0]);
	CU_ASSERT_TRUE(in.failed[1]);
	CU_ASSERT_EQUAL(l.app_n[0] + l.app_n[1], 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "N02:tls_decrypt_failed"));
	keylog_free(kl);

	/* No key for this client random: followed, not decrypted. */
	kl = keylog_of("CLIENT_RANDOM 0000000000000000000000000000000000000000000000000000000000000000 " "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f\n");
	in = run(&c, kl, &l, 0, 0, 0);
	CU_ASSERT_FALSE(in.keys_found);
	CU_ASSERT_EQUAL(in.skipped[0], 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "N00:tls_no_key"));
	keylog_free(kl);
}

static void test_tls12_gcm(void)
{
	tls12_case(0xc02f, false);
	tls12_case(0xc030, false);
}

static void test_tls12_chacha(void)
{
	tls12_case(0xcca8, false);
}

static void test_tls12_cbc(void)
{
	tls12_case(0xc013, false);
	tls12_case(0xc014, true);
	tls12_case(0xc028, true);
}

/* TLS 1.3 with ChaCha20-Poly1305: a HelloRetryRequest first, the
 * encrypted handshake (EncryptedExtensions, Finished), application data
 * both ways and a KeyUpdate from the client (RFC 8446 §4.6.3). */
static void test_tls13_hrr_keyupdate(void)
{
	static struct convo c;
	static struct log l;
	struct buf m;
	uint8_t cr[32], sr[32], sec[4][32];
	const struct tls_suite *s = tls_suite_find(0x1303);
	struct sender cw = { .s = s, .tls13 = true }, sw = { .s = s, .tls13 = true };
	static const char *names[4] = {
		"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
		"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
	};
	static const uint8_t ee[6] = { 8, 0, 0, 2, 0, 0 };
	static const uint8_t fin[36] = { 20, 0, 0, 32 };
	static const uint8_t ku[5] = { 24, 0, 0, 1, 0 };
	static const uint8_t nst[12] = { 4, 0, 0, 8 };
	char text[1200], crh[65], sh[65];
	size_t tn = 0;

	for (int i = 0; i < 32; i++) {
		cr[i] = (uint8_t)(0x11 * (i % 7));
		sr[i] = (uint8_t)i;
		for (int k = 0; k < 4; k++)
			sec[k][i] = (uint8_t)(k * 50 + i);
	}
	tohex(cr, 32, crh);
	for (int k = 0; k < 4; k++) {
		tohex(sec[k], 32, sh);
		tn += (size_t)snprintf(text + tn, sizeof text - tn, "%s %s %s\n",
				       names[k], crh, sh);
	}
	c.n = 0;
	client_hello(&m, cr);
	record(seg(&c, 0), 22, m.b, m.n);
	server_hello(&m, hrr_random, 0x0304, 0x1303, false);
	record(seg(&c, 1), 22, m.b, m.n);
	client_hello(&m, cr);
	record(seg(&c, 0), 22, m.b, m.n);
	server_hello(&m, sr, 0x0304, 0x1303, false);
	struct buf *b = seg(&c, 1);
	record(b, 22, m.b, m.n);
	record(b, 20, ccs, 1);
	tls13_keys(s, sec[1], &sw.k);
	uint8_t flight[64];
	memcpy(flight, ee, sizeof ee);
	memcpy(flight + sizeof ee, fin, sizeof fin);
	send_rec(&sw, b, 22, flight, sizeof ee + sizeof fin);
	tls13_keys(s, sec[3], &sw.k);
	sw.seq = 0;
	send_rec(&sw, b, 22, nst, sizeof nst);
	send_rec(&sw, b, 23, (const uint8_t *)"srv", 3);
	b = seg(&c, 0);
	record(b, 20, ccs, 1);
	tls13_keys(s, sec[0], &cw.k);
	send_rec(&cw, b, 22, fin, sizeof fin);
	tls13_keys(s, sec[2], &cw.k);
	cw.seq = 0;
	send_rec(&cw, b, 23, (const uint8_t *)"one", 3);
	send_rec(&cw, b, 22, ku, sizeof ku);
	uint8_t next[32];
	memcpy(next, sec[2], 32);
	tls13_next_secret(32, next);
	tls13_keys(s, next, &cw.k);
	cw.seq = 0;
	send_rec(&cw, seg(&c, 0), 23, (const uint8_t *)"two", 3);

	struct keylog *kl = keylog_of(text);
	struct tls_dec_info in = run_all(&c, kl, &l);
	CU_ASSERT_TRUE(in.hrr);
	CU_ASSERT_TRUE(in.keys_found);
	CU_ASSERT_FALSE(in.keys_partial);
	CU_ASSERT_EQUAL(in.version, 0x0304);
	CU_ASSERT_EQUAL(in.key_updates[0], 1);
	CU_ASSERT_EQUAL(in.decrypted[0], 4);
	CU_ASSERT_EQUAL(in.decrypted[1], 3);
	CU_ASSERT_EQUAL(l.app_n[0], 6);
	CU_ASSERT_EQUAL(memcmp(l.app[0], "onetwo", 6), 0);
	CU_ASSERT_EQUAL(l.app_n[1], 3);
	CU_ASSERT_EQUAL(memcmp(l.app[1], "srv", 3), 0);
	/* the encrypted handshake: EE and Finished coalesced in one record,
	 * then the ticket and the KeyUpdate */
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "H1:8 d6 H1:20 d36 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "H1:4 d12 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "H0:24 d5 "));
	CU_ASSERT_PTR_NULL(strstr(l.ev, "tls_decrypt_failed"));
	keylog_free(kl);

	/* Without the KeyUpdate followed, "two" would fail: check that a
	 * missing SERVER_TRAFFIC_SECRET_0 stops only the server side. */
	tn = 0;
	for (int k = 0; k < 3; k++) {
		tohex(sec[k], 32, sh);
		tn += (size_t)snprintf(text + tn, sizeof text - tn, "%s %s %s\n",
				       names[k], crh, sh);
	}
	kl = keylog_of(text);
	in = run(&c, kl, &l, 0, 0, 0);
	CU_ASSERT_EQUAL(l.app_n[0], 6);
	CU_ASSERT_EQUAL(l.app_n[1], 0);
	CU_ASSERT_FALSE(in.decrypting[1]);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "N11:tls_no_key"));
	keylog_free(kl);
}

static void test_not_tls(void)
{
	static struct convo c;
	static struct log l;
	struct buf m;
	uint8_t cr[32] = { 0 };

	c.n = 0;
	client_hello(&m, cr);
	struct buf *b = seg(&c, 0);
	record(b, 22, m.b, m.n);
	put(b, "GET / HTTP/1.1\r\n\r\n", 18);
	struct tls_dec_info in = run_all(&c, NULL, &l);
	CU_ASSERT_TRUE(in.dead[0]);
	CU_ASSERT_FALSE(in.dead[1]);
	CU_ASSERT_FALSE(in.keylog_given);
	CU_ASSERT_EQUAL(in.records[0], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.ev, "N01:tls_bad_record"));
	CU_ASSERT_TRUE(in.have_client_random);
}

int add_tls_decrypt_suite(void)
{
	CU_pSuite s = CU_add_suite("tls_decrypt", NULL, NULL);
	if (!s ||
	    !CU_add_test(s, "RFC 8448 client record, traffic secret only",
			 test_rfc8448_record) ||
	    !CU_add_test(s, "TLS 1.2 AES-GCM, wrong key, missing key",
			 test_tls12_gcm) ||
	    !CU_add_test(s, "TLS 1.2 ChaCha20-Poly1305", test_tls12_chacha) ||
	    !CU_add_test(s, "TLS 1.2 AES-CBC, MAC-then-encrypt and EtM",
			 test_tls12_cbc) ||
	    !CU_add_test(s, "TLS 1.3 HRR, encrypted handshake, KeyUpdate",
			 test_tls13_hrr_keyupdate) ||
	    !CU_add_test(s, "bytes that stop being TLS", test_not_tls))
		return -1;
	return 0;
}
