/* tls_decrypt.c - TLS record layer reassembly, handshake following and
 * record decryption (RFC 5246 §6.2, RFC 8446 §5), with libcrypto's EVP
 * ciphers and MACs. */
#include "tls_decrypt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "tls_hello.h"

/* TLS 1.3 keys are used for the handshake first, then for application
 * data (RFC 8446 §7.1). */
enum phase { PH_NONE, PH_HANDSHAKE, PH_APP };

/* Records failing authentication before the first success that are
 * skipped rather than taken as a wrong key: TLS 1.3 0-RTT data the log
 * has no key for, or (without handshake secrets) the encrypted
 * handshake itself. */
#define TRIAL_MAX 64

struct dec_dir {
	/* record assembly */
	uint8_t hdr[5];
	uint8_t hdr_len;
	uint32_t body_len, body_have;
	uint8_t *rec;             /* a record that spans pieces: grows to
	                             the largest seen, TLS_RECORD_MAX at most */
	uint32_t rec_cap;
	/* handshake message assembly */
	uint8_t *hs;
	size_t hs_len, hs_cap;
	uint32_t hs_skip;         /* bytes of an over-cap message to skip */
	bool hs_skip_decrypted;
	/* protection */
	bool enc;                 /* this direction's records are protected */
	bool pending;             /* TLS 1.2: keys wait for ChangeCipherSpec */
	enum phase phase;
	bool trial;               /* failures before a success are skipped */
	unsigned trial_fails;
	bool ok_once;             /* a record decrypted */
	struct tls_dir_keys keys;
	uint8_t secret[TLS_HASH_MAX];    /* TLS 1.3: the current secret */
	uint8_t ap_secret[TLS_HASH_MAX]; /* TLS 1.3: traffic secret 0 */
	bool have_ap;
	uint64_t seq;             /* RFC 5246 §6.1, RFC 8446 §5.3 */
	uint8_t cbc_iv[16];       /* TLS 1.0: the chained CBC IV */
	EVP_CIPHER_CTX *cctx;
	EVP_MAC_CTX *mctx;
	bool mac_keyed;           /* mctx holds keys.mac (install clears) */
	bool to_app, key_update;  /* key changes after the current record */
};

struct tls_dec {
	const struct keylog *kl;
	const struct tls_dec_cb *cb;
	struct dec_dir d[2];
	struct tls_dec_info info;
	bool tls13;
	bool noted_no_keys, noted_suite;
};

/* One record's plaintext, shared by every connection: it is handed out
 * (borrowed) only while that record is processed, and a partial handshake
 * message is copied out of it; nothing decrypts while a callback runs
 * (TLS inside decrypted TLS is not decrypted), and wstap analyses on one
 * thread.  Saves 18 KB per decrypting direction. */
static uint8_t plain[TLS_RECORD_MAX];

static void note(struct tls_dec *td, int dir, int level, const char *code,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void note(struct tls_dec *td, int dir, int level, const char *code,
		 const char *fmt, ...)
{
	char text[240];
	va_list ap;

	if (!td->cb->note)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	td->cb->note(td->cb->ctx, dir, level, code, text);
}

static const char *dname(int dir)
{
	return dir == 0 ? "client" : "server";
}

struct tls_dec *tls_dec_new(const struct keylog *kl,
			    const struct tls_dec_cb *cb)
{
	struct tls_dec *td = calloc(1, sizeof *td);

	if (!td)
		return NULL;
	td->kl = kl;
	td->cb = cb;
	td->info.keylog_given = kl != NULL;
	return td;
}

static void dir_free(struct dec_dir *d)
{
	free(d->rec);
	free(d->hs);
	EVP_CIPHER_CTX_free(d->cctx);
	EVP_MAC_CTX_free(d->mctx);
	OPENSSL_cleanse(&d->keys, sizeof d->keys);
	OPENSSL_cleanse(d->secret, sizeof d->secret);
	OPENSSL_cleanse(d->ap_secret, sizeof d->ap_secret);
}

void tls_dec_free(struct tls_dec *td)
{
	if (!td)
		return;
	dir_free(&td->d[0]);
	dir_free(&td->d[1]);
	free(td);
}

const struct tls_dec_info *tls_dec_info(const struct tls_dec *td)
{
	return &td->info;
}

void tls_dec_gap(struct tls_dec *td, int dir)
{
	td->info.dead[dir] = true;
	td->info.decrypting[dir] = false;
}

/* ---- keys ------------------------------------------------------------ */

static const EVP_CIPHER *evp_cipher(const struct tls_suite *s)
{
	switch (s->kind) {
	case TLS_CK_AES_GCM:
		return s->key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	case TLS_CK_CHACHA:
		return EVP_chacha20_poly1305();
	case TLS_CK_AES_CBC:
		return s->key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
	}
	return NULL;
}

/* Loads d->keys into a cipher context (and a MAC for CBC suites). */
static bool install(struct tls_dec *td, struct dec_dir *d)
{
	const struct tls_suite *s = td->info.suite;

	if (!d->cctx) {
		d->cctx = EVP_CIPHER_CTX_new();
		if (!d->cctx)
			return false;
	}
	if (EVP_DecryptInit_ex(d->cctx, evp_cipher(s), NULL, d->keys.key,
			       NULL) != 1)
		return false;
	if (s->kind == TLS_CK_AES_CBC) {
		EVP_CIPHER_CTX_set_padding(d->cctx, 0);
		if (!d->mctx) {
			const char *md = s->mac_len == 20 ? "SHA1" :
					 s->mac_len == 32 ? "SHA256" : "SHA384";
			OSSL_PARAM p[2] = {
				OSSL_PARAM_construct_utf8_string(
					OSSL_MAC_PARAM_DIGEST, (char *)md, 0),
				OSSL_PARAM_construct_end(),
			};
			EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
			d->mctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
			EVP_MAC_free(mac);
			if (!d->mctx || EVP_MAC_CTX_set_params(d->mctx, p) != 1)
				return false;
		}
		memcpy(d->cbc_iv, d->keys.iv, 16);
		d->mac_keyed = false;
	}
	d->seq = 0;
	return true;
}

static bool install_13(struct tls_dec *td, int dir, const uint8_t *secret,
		       enum phase ph)
{
	struct dec_dir *d = &td->d[dir];
	const struct tls_suite *s = td->info.suite;

	memcpy(d->secret, secret, s->hash_len);
	if (!tls13_keys(s, d->secret, &d->keys) || !install(td, d)) {
		ERR_clear_error();
		note(td, dir, 1, "tls_key_error",
		     "%s: libcrypto could not set up the TLS 1.3 keys",
		     dname(dir));
		return false;
	}
	d->phase = ph;
	d->enc = true;
	td->info.decrypting[dir] = true;
	return true;
}

static void hex32(const uint8_t r[32], char out[65])
{
	static const char x[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = x[r[i] >> 4];
		out[2 * i + 1] = x[r[i] & 15];
	}
	out[64] = '\0';
}

/* At the ServerHello: the suite, the key log entry and each direction's
 * keys.  TLS 1.3 protection starts right after the ServerHello (RFC 8446
 * §2); TLS 1.2's at each side's ChangeCipherSpec (RFC 5246 §7.1). */
static void setup_keys(struct tls_dec *td, const struct tls_hello *sh)
{
	struct tls_dec_info *in = &td->info;
	char cr[65];

	in->version = sh->version;
	in->cipher = sh->cipher;
	in->etm = sh->etm;
	in->suite = tls_suite_find(sh->cipher);
	td->tls13 = sh->version == 0x0304;
	/* TLS 1.3 protects everything after the ServerHello (RFC 8446 §2),
	 * which ends its record (§5.1), keys or not. */
	if (td->tls13)
		td->d[0].enc = td->d[1].enc = true;
	if (!td->kl || !in->have_client_random)
		return;
	hex32(in->client_random, cr);
	const struct keylog_entry *e = keylog_find(td->kl, in->client_random);
	if (!in->suite || in->suite->tls13 != td->tls13) {
		if (!td->noted_suite)
			note(td, 1, 1, "tls_suite_unsupported",
			     "cipher suite 0x%04x (version 0x%04x) cannot be "
			     "decrypted by wstap (AES-GCM, ChaCha20-Poly1305 "
			     "and AES-CBC suites can)", sh->cipher, sh->version);
		td->noted_suite = true;
		return;
	}
	const struct tls_suite *s = in->suite;
	if (!td->tls13) {
		struct tls_dir_keys k[2];
		if (!e || e->len[KL_MASTER] != 48) {
			if (!td->noted_no_keys)
				note(td, 0, 0, "tls_no_key",
				     "the key log has no CLIENT_RANDOM line for "
				     "client random %s", cr);
			td->noted_no_keys = true;
			return;
		}
		if (!tls12_keys(s, sh->version, e->secret[KL_MASTER],
				in->client_random, sh->random, &k[0], &k[1])) {
			ERR_clear_error();
			note(td, 0, 1, "tls_key_error",
			     "libcrypto could not expand the TLS 1.2 master "
			     "secret");
			return;
		}
		in->keys_found = true;
		for (int i = 0; i < 2; i++) {
			td->d[i].keys = k[i];
			td->d[i].pending = true;
		}
		OPENSSL_cleanse(k, sizeof k);
		return;
	}
	/* TLS 1.3: each direction needs its handshake secret to read the
	 * encrypted handshake and its traffic secret 0 for what follows. */
	static const int hs_of[2] = { KL_CLIENT_HS, KL_SERVER_HS };
	static const int ap_of[2] = { KL_CLIENT_AP, KL_SERVER_AP };
	bool any = false;
	for (int i = 0; i < 2; i++) {
		struct dec_dir *d = &td->d[i];
		bool hs = e && e->len[hs_of[i]] == s->hash_len;
		d->have_ap = e && e->len[ap_of[i]] == s->hash_len;
		if (d->have_ap)
			memcpy(d->ap_secret, e->secret[ap_of[i]], s->hash_len);
		if (hs) {
			any |= install_13(td, i, e->secret[hs_of[i]],
					  PH_HANDSHAKE);
			/* The client's stream may still hold 0-RTT records
			 * (RFC 8446 §4.2.10) sent before it saw this. */
			d->trial = i == 0;
		} else if (d->have_ap) {
			/* Without the handshake secret the handshake stays
			 * unreadable; its records fail and are skipped
			 * until the first application record decrypts. */
			any |= install_13(td, i, d->ap_secret, PH_APP);
			d->trial = true;
			in->keys_partial = true;
		}
	}
	if (!any) {
		if (!td->noted_no_keys)
			note(td, 0, 0, "tls_no_key",
			     "the key log has no TLS 1.3 secrets for client "
			     "random %s", cr);
		td->noted_no_keys = true;
		return;
	}
	in->keys_found = true;
	if (in->keys_partial)
		note(td, 0, 0, "tls_keys_partial",
		     "the key log has TLS 1.3 traffic secrets but no handshake "
		     "secrets for client random %s: application data is "
		     "decrypted, the handshake (and the certificate) is not", cr);
}

/* ---- record decryption ------------------------------------------------ */

enum dec_result { DEC_OK, DEC_AUTH, DEC_MALFORMED };

static void seq_bytes(uint64_t seq, uint8_t out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)seq;
		seq >>= 8;
	}
}

/* AEAD open: nonce, aad, ct||tag -> out. */
static enum dec_result aead_open(struct dec_dir *d, const uint8_t nonce[12],
				 const uint8_t *aad, size_t aad_len,
				 const uint8_t *ct, size_t ct_len, uint8_t *out)
{
	uint8_t tag[16];
	int n, fin;

	memcpy(tag, ct + ct_len, 16);
	if (EVP_DecryptInit_ex(d->cctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_DecryptUpdate(d->cctx, NULL, &n, aad, (int)aad_len) != 1 ||
	    EVP_DecryptUpdate(d->cctx, out, &n, ct, (int)ct_len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(d->cctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1) {
		ERR_clear_error();
		return DEC_MALFORMED;
	}
	if (EVP_DecryptFinal_ex(d->cctx, out + n, &fin) != 1) {
		ERR_clear_error();
		return DEC_AUTH;
	}
	return DEC_OK;
}

/* RFC 8446 §5.2/§5.3: nonce = iv XOR seq (left-padded), AAD = the
 * record header; the plaintext ends with the real content type, then
 * zero padding. */
static enum dec_result open_13(struct dec_dir *d, const uint8_t hdr[5],
			       const uint8_t *body, size_t len,
			       size_t *out_len, uint8_t *type)
{
	uint8_t nonce[12], sq[8];

	if (len < 17)
		return DEC_MALFORMED;
	memcpy(nonce, d->keys.iv, 12);
	seq_bytes(d->seq, sq);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= sq[i];
	enum dec_result r = aead_open(d, nonce, hdr, 5, body, len - 16,
				      plain);
	if (r != DEC_OK)
		return r;
	size_t n = len - 16;
	while (n > 0 && plain[n - 1] == 0)
		n--;
	if (n == 0)
		return DEC_MALFORMED; /* §5.4: no non-zero type byte */
	*type = plain[n - 1];
	*out_len = n - 1;
	return DEC_OK;
}

static void aad_12(uint8_t aad[13], uint64_t seq, const uint8_t hdr[5],
		   size_t plain_len)
{
	/* RFC 5246 §6.2.3.3: seq_num + type + version + length. */
	seq_bytes(seq, aad);
	aad[8] = hdr[0];
	aad[9] = hdr[1];
	aad[10] = hdr[2];
	aad[11] = (uint8_t)(plain_len >> 8);
	aad[12] = (uint8_t)plain_len;
}

static enum dec_result open_12_aead(struct tls_dec *td, struct dec_dir *d,
				    const uint8_t hdr[5], const uint8_t *body,
				    size_t len, size_t *out_len)
{
	uint8_t nonce[12], aad[13];
	size_t explicit_len = 0;

	if (td->info.suite->kind == TLS_CK_AES_GCM) {
		/* RFC 5288 §3: salt (4, from the key block) + the record's
		 * explicit nonce (8). */
		explicit_len = 8;
		if (len < explicit_len + 16)
			return DEC_MALFORMED;
		memcpy(nonce, d->keys.iv, 4);
		memcpy(nonce + 4, body, 8);
	} else {
		/* RFC 7905 §2: iv XOR the left-padded sequence number. */
		uint8_t sq[8];
		if (len < 16)
			return DEC_MALFORMED;
		memcpy(nonce, d->keys.iv, 12);
		seq_bytes(d->seq, sq);
		for (int i = 0; i < 8; i++)
			nonce[4 + i] ^= sq[i];
	}
	size_t plain_len = len - explicit_len - 16;
	aad_12(aad, d->seq, hdr, plain_len);
	enum dec_result r = aead_open(d, nonce, aad, sizeof aad,
				      body + explicit_len, plain_len, plain);
	if (r == DEC_OK)
		*out_len = plain_len;
	return r;
}

static bool hmac(struct tls_dec *td, struct dec_dir *d, const uint8_t *a,
		 size_t an, const uint8_t *b, size_t bn, uint8_t *out)
{
	size_t n;

	/* The digest was set once in install(), the key at the first record:
	 * later records restart HMAC with the kept key (EVP_MAC_init without
	 * one), not the padded-key hashing a new key costs every time. */
	const uint8_t *key = d->mac_keyed ? NULL : d->keys.mac;
	size_t key_len = d->mac_keyed ? 0 : td->info.suite->mac_len;
	d->mac_keyed = true;
	if (EVP_MAC_init(d->mctx, key, key_len, NULL) != 1 ||
	    EVP_MAC_update(d->mctx, a, an) != 1 ||
	    EVP_MAC_update(d->mctx, b, bn) != 1 ||
	    EVP_MAC_final(d->mctx, out, &n, TLS_MAC_MAX) != 1) {
		ERR_clear_error();
		return false;
	}
	return true;
}

/* RFC 5246 §6.2.3.2 (MAC-then-encrypt) and RFC 7366 (encrypt-then-MAC);
 * TLS 1.0 chains the IV from the previous record (RFC 2246 §6.2.3.2). */
static enum dec_result open_12_cbc(struct tls_dec *td, struct dec_dir *d,
				   const uint8_t hdr[5], const uint8_t *body,
				   size_t len, size_t *out_len)
{
	size_t mac_len = td->info.suite->mac_len;
	bool explicit_iv = td->info.version >= 0x0302;
	uint8_t hdr_mac[13], mac[TLS_MAC_MAX], iv[16];
	int n;

	if (td->info.etm) {
		if (len < mac_len)
			return DEC_MALFORMED;
		len -= mac_len;
		aad_12(hdr_mac, d->seq, hdr, len);
		if (!hmac(td, d, hdr_mac, 13, body, len, mac))
			return DEC_MALFORMED;
		if (CRYPTO_memcmp(mac, body + len, mac_len) != 0)
			return DEC_AUTH;
	}
	if (explicit_iv) {
		if (len < 16)
			return DEC_MALFORMED;
		memcpy(iv, body, 16);
		body += 16;
		len -= 16;
	} else {
		memcpy(iv, d->cbc_iv, 16);
	}
	if (len == 0 || len % 16)
		return DEC_MALFORMED;
	if (EVP_DecryptInit_ex(d->cctx, NULL, NULL, NULL, iv) != 1 ||
	    EVP_DecryptUpdate(d->cctx, plain, &n, body, (int)len) != 1) {
		ERR_clear_error();
		return DEC_MALFORMED;
	}
	if (!explicit_iv)
		memcpy(d->cbc_iv, body + len - 16, 16);
	/* padding: pad_len + 1 bytes, each equal to pad_len */
	uint8_t pad = plain[len - 1];
	if ((size_t)pad + 1 > len)
		return DEC_AUTH;
	for (size_t i = len - 1 - pad; i < len; i++)
		if (plain[i] != pad)
			return DEC_AUTH;
	size_t plain_len = len - pad - 1;
	if (!td->info.etm) {
		if (plain_len < mac_len)
			return DEC_AUTH;
		plain_len -= mac_len;
		aad_12(hdr_mac, d->seq, hdr, plain_len);
		if (!hmac(td, d, hdr_mac, 13, plain, plain_len, mac))
			return DEC_MALFORMED;
		if (CRYPTO_memcmp(mac, plain + plain_len, mac_len) != 0)
			return DEC_AUTH;
	}
	*out_len = plain_len;
	return DEC_OK;
}

/* ---- handshake ------------------------------------------------------- */

static void client_hello(struct tls_dec *td, const uint8_t *msg, size_t len)
{
	struct tls_hello h;

	/* After a HelloRetryRequest the second ClientHello keeps the random
	 * (RFC 8446 §4.1.2); the first one wins anyway. */
	if (td->info.have_client_random)
		return;
	if (tls_hello_parse(msg, len, &h) != TLS_HELLO_OK)
		return;
	memcpy(td->info.client_random, h.random, 32);
	td->info.have_client_random = true;
}

static void server_hello(struct tls_dec *td, const uint8_t *msg, size_t len)
{
	struct tls_hello h;

	if (td->info.server_hello)
		return;
	if (tls_hello_parse(msg, len, &h) != TLS_HELLO_OK)
		return;
	if (h.hrr) {
		/* RFC 8446 §4.1.4: the client answers with a new ClientHello;
		 * the keys come with the real ServerHello. */
		td->info.hrr = true;
		return;
	}
	td->info.server_hello = true;
	setup_keys(td, &h);
}

static void message(struct tls_dec *td, int dir, const uint8_t *msg,
		    size_t len, bool decrypted)
{
	struct dec_dir *d = &td->d[dir];

	if (td->cb->handshake)
		td->cb->handshake(td->cb->ctx, dir, msg, len, decrypted);
	switch (msg[0]) {
	case 1:
		if (dir == 0 && !decrypted)
			client_hello(td, msg, len);
		else if (decrypted)
			note(td, dir, 1, "tls_renegotiation",
			     "a ClientHello inside the protected TLS 1.2 "
			     "connection: renegotiation is not followed, what "
			     "follows it is not decrypted");
		break;
	case 2:
		if (dir == 1 && !decrypted)
			server_hello(td, msg, len);
		break;
	case 20:
		/* RFC 8446 §4.4.4: after its Finished a side switches to its
		 * application traffic secret (at the record boundary, §5.1). */
		if (td->tls13 && decrypted && d->phase == PH_HANDSHAKE)
			d->to_app = true;
		break;
	case 24:
		/* RFC 8446 §4.6.3: the sender's next records use the next
		 * generation of its secret. */
		if (td->tls13 && decrypted && d->phase == PH_APP)
			d->key_update = true;
		break;
	default:
		break;
	}
}

/* Handshake bytes of one record: messages are split and coalesced
 * across records (RFC 8446 §5.1); whole ones go out zero-copy. */
static void hs_bytes(struct tls_dec *td, int dir, const uint8_t *p,
		     size_t n, bool decrypted)
{
	struct dec_dir *d = &td->d[dir];

	while (n > 0) {
		if (d->hs_skip) {
			size_t k = n < d->hs_skip ? n : d->hs_skip;
			d->hs_skip -= (uint32_t)k;
			p += k;
			n -= k;
			continue;
		}
		if (d->hs_len == 0 && n >= 4) {
			size_t mlen = 4 + ((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
			if (n >= mlen) {
				message(td, dir, p, mlen, decrypted);
				p += mlen;
				n -= mlen;
				continue;
			}
		}
		if (!d->hs) {
			d->hs_cap = 4096;
			d->hs = malloc(d->hs_cap);
			if (!d->hs) {
				d->hs_cap = 0;
				return;
			}
		}
		if (d->hs_len < 4) {
			size_t k = 4 - d->hs_len < n ? 4 - d->hs_len : n;
			memcpy(d->hs + d->hs_len, p, k);
			d->hs_len += k;
			p += k;
			n -= k;
			continue;
		}
		size_t mlen = 4 + ((size_t)d->hs[1] << 16 |
				   (size_t)d->hs[2] << 8 | d->hs[3]);
		if (mlen > TLS_HS_MAX) {
			td->info.hs_cap_hits++;
			note(td, dir, 1, "tls_handshake_cap",
			     "%s: a TLS handshake message (type %u) of %zu bytes "
			     "is longer than the %d bytes kept; it was skipped",
			     dname(dir), d->hs[0], mlen, TLS_HS_MAX);
			d->hs_skip = (uint32_t)(mlen - d->hs_len);
			d->hs_len = 0;
			continue;
		}
		if (mlen > d->hs_cap) {
			size_t cap = d->hs_cap;
			while (cap < mlen)
				cap *= 2;
			if (cap > TLS_HS_MAX)
				cap = TLS_HS_MAX;
			uint8_t *nb = realloc(d->hs, cap);
			if (!nb) {
				d->hs_skip = (uint32_t)(mlen - d->hs_len);
				d->hs_len = 0;
				continue;
			}
			d->hs = nb;
			d->hs_cap = cap;
		}
		size_t k = mlen - d->hs_len < n ? mlen - d->hs_len : n;
		memcpy(d->hs + d->hs_len, p, k);
		d->hs_len += k;
		p += k;
		n -= k;
		if (d->hs_len == mlen) {
			d->hs_len = 0;
			message(td, dir, d->hs, mlen, decrypted);
			/* A big message (a certificate chain) need not keep
			 * its buffer for the rest of the connection. */
			if (d->hs_cap > 16384 && d->hs_len == 0) {
				free(d->hs);
				d->hs = NULL;
				d->hs_cap = 0;
			}
		}
	}
}

/* ---- records --------------------------------------------------------- */

static void content(struct tls_dec *td, int dir, uint8_t type,
		    const uint8_t *p, size_t n, bool decrypted)
{
	switch (type) {
	case TLS_CT_HANDSHAKE:
		hs_bytes(td, dir, p, n, decrypted);
		break;
	case TLS_CT_ALERT:
		/* RFC 8446 §6: level and description, two bytes each. */
		for (size_t i = 0; i + 1 < n; i += 2)
			if (td->cb->alert)
				td->cb->alert(td->cb->ctx, dir, p[i], p[i + 1],
					      decrypted);
		break;
	case TLS_CT_APP:
		if (decrypted && n && td->cb->app_data)
			td->cb->app_data(td->cb->ctx, dir, p, n);
		break;
	default:
		break;
	}
}

/* Applies key changes the record just processed asked for. */
static void after_record(struct tls_dec *td, int dir)
{
	struct dec_dir *d = &td->d[dir];
	const struct tls_suite *s = td->info.suite;

	if (d->to_app) {
		d->to_app = false;
		if (!d->have_ap) {
			note(td, dir, 1, "tls_no_key",
			     "%s: the key log has no %s_TRAFFIC_SECRET_0; the "
			     "%s's application data is not decrypted",
			     dname(dir), dir ? "SERVER" : "CLIENT", dname(dir));
			d->enc = true;
			d->phase = PH_NONE;
			td->info.decrypting[dir] = false;
			return;
		}
		install_13(td, dir, d->ap_secret, PH_APP);
		d->trial = false;
	}
	if (d->key_update) {
		d->key_update = false;
		if (!tls13_next_secret(s->hash_len, d->secret)) {
			ERR_clear_error();
			d->phase = PH_NONE;
			td->info.decrypting[dir] = false;
			return;
		}
		uint8_t next[TLS_HASH_MAX];
		memcpy(next, d->secret, s->hash_len);
		install_13(td, dir, next, PH_APP);
		OPENSSL_cleanse(next, sizeof next);
		td->info.key_updates[dir]++;
	}
}

static void protected_record(struct tls_dec *td, int dir,
			     const uint8_t hdr[5], const uint8_t *body,
			     size_t len)
{
	struct dec_dir *d = &td->d[dir];
	struct tls_dec_info *in = &td->info;
	uint8_t type = hdr[0];
	size_t out_len = 0;
	enum dec_result r;

	if (!in->decrypting[dir]) {
		in->skipped[dir]++;
		return;
	}
	if (td->tls13)
		r = open_13(d, hdr, body, len, &out_len, &type);
	else if (in->suite->kind == TLS_CK_AES_CBC)
		r = open_12_cbc(td, d, hdr, body, len, &out_len);
	else
		r = open_12_aead(td, d, hdr, body, len, &out_len);
	if (r != DEC_OK) {
		in->auth_failures[dir] += r == DEC_AUTH;
		if (d->trial && !d->ok_once && d->trial_fails < TRIAL_MAX) {
			/* Skipped without moving the sequence number: these
			 * records belong to another key. */
			d->trial_fails++;
			in->skipped[dir]++;
			return;
		}
		char cr[65];
		hex32(in->client_random, cr);
		note(td, dir, 2, "tls_decrypt_failed",
		     "%s: TLS record %llu %s with the key log's secret for "
		     "client random %.16s...: %s; this direction is not "
		     "decrypted further", dname(dir),
		     (unsigned long long)in->records[dir],
		     r == DEC_AUTH ? "failed authentication" :
				     "is malformed",
		     cr, r == DEC_AUTH ? "the key does not belong to this "
					 "session (or the capture is damaged)" :
					 "its length cannot hold the cipher's "
					 "overhead");
		in->failed[dir] = true;
		in->decrypting[dir] = false;
		in->skipped[dir]++;
		return;
	}
	d->seq++;
	d->ok_once = true;
	in->decrypted[dir]++;
	if (out_len > 16384 + (td->tls13 ? 0 : 1024))
		note(td, dir, 1, "tls_record_overflow",
		     "%s: a decrypted record holds %zu bytes, more than 2^14 "
		     "(RFC 8446 §5.4)", dname(dir), out_len);
	content(td, dir, type, plain, out_len, true);
	after_record(td, dir);
}

static void record(struct tls_dec *td, int dir, const uint8_t hdr[5],
		   const uint8_t *body, size_t len)
{
	struct dec_dir *d = &td->d[dir];
	struct tls_dec_info *in = &td->info;
	uint8_t type = hdr[0];

	in->records[dir]++;
	if (td->cb->record)
		td->cb->record(td->cb->ctx, dir, type,
			       (uint16_t)(hdr[1] << 8 | hdr[2]), (uint32_t)len);
	if (type == TLS_CT_CCS) {
		/* RFC 5246 §7.1: the sender's next records use the keys just
		 * negotiated.  In TLS 1.3 it is only a compatibility marker
		 * (RFC 8446 §5, D.4) and never protected. */
		if (!td->tls13) {
			d->enc = true;
			if (d->pending) {
				d->pending = false;
				if (install(td, d))
					in->decrypting[dir] = true;
				else
					ERR_clear_error();
			}
		}
		return;
	}
	/* In TLS 1.3 a peer may still send a cleartext alert after the
	 * ServerHello if it never got the keys (RFC 8446 §5.1 / §6). */
	bool clear_alert = td->tls13 && type == TLS_CT_ALERT && len == 2;
	if (d->enc && !clear_alert) {
		protected_record(td, dir, hdr, body, len);
		return;
	}
	content(td, dir, type, body, len, false);
	after_record(td, dir);
}

static bool header_ok(const uint8_t h[5])
{
	uint32_t len = (uint32_t)h[3] << 8 | h[4];
	return h[0] >= TLS_CT_CCS && h[0] <= TLS_CT_HEARTBEAT && h[1] == 3 &&
	       len <= TLS_RECORD_MAX;
}

void tls_dec_feed(struct tls_dec *td, int dir, const uint8_t *p, size_t n)
{
	struct dec_dir *d = &td->d[dir];

	while (n > 0 && !td->info.dead[dir]) {
		if (d->hdr_len < 5) {
			size_t k = 5u - d->hdr_len < n ? 5u - d->hdr_len : n;
			memcpy(d->hdr + d->hdr_len, p, k);
			d->hdr_len = (uint8_t)(d->hdr_len + k);
			p += k;
			n -= k;
			if (d->hdr_len < 5)
				return;
			if (!header_ok(d->hdr)) {
				note(td, dir, 1, "tls_bad_record",
				     "%s: bytes stopped looking like TLS records "
				     "(type %u, version 0x%02x%02x, length %u; RFC "
				     "8446 §5.1)", dname(dir), d->hdr[0], d->hdr[1],
				     d->hdr[2], (unsigned)(d->hdr[3] << 8 | d->hdr[4]));
				td->info.dead[dir] = true;
				td->info.decrypting[dir] = false;
				return;
			}
			d->body_len = (uint32_t)d->hdr[3] << 8 | d->hdr[4];
			d->body_have = 0;
		}
		if (d->body_have == 0 && n >= d->body_len) {
			/* The whole record is in this piece: no copy. */
			size_t len = d->body_len;
			d->hdr_len = 0;
			record(td, dir, d->hdr, p, len);
			p += len;
			n -= len;
			continue;
		}
		if (d->body_len > d->rec_cap) {
			/* WebSocket records are often small: start at 1 KB. */
			uint32_t cap = d->rec_cap ? d->rec_cap : 1024;
			while (cap < d->body_len)
				cap *= 2;
			if (cap > TLS_RECORD_MAX)
				cap = TLS_RECORD_MAX;
			uint8_t *nb = realloc(d->rec, cap);
			if (!nb) {
				td->info.dead[dir] = true;
				return;
			}
			d->rec = nb;
			d->rec_cap = cap;
		}
		size_t need = d->body_len - d->body_have;
		size_t k = need < n ? need : n;
		memcpy(d->rec + d->body_have, p, k);
		d->body_have += (uint32_t)k;
		p += k;
		n -= k;
		if (d->body_have == d->body_len) {
			d->hdr_len = 0;
			d->body_have = 0;
			record(td, dir, d->hdr, d->rec, d->body_len);
		}
	}
}
