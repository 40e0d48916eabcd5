/* tls_cert.c - leaf certificate summary with libcrypto's X.509 code. */
#include "tls_cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cursor.h"

static bool u24(struct cur *c, size_t *out)
{
	uint8_t hi;
	uint16_t lo;
	if (!cur_u8(c, &hi) || !cur_be16(c, &lo))
		return false;
	*out = (size_t)hi << 16 | lo;
	return true;
}

/* Appends bytes as printable ASCII ('?' for anything else). */
static void append(char *dst, size_t size, const char *sep,
		   const unsigned char *p, size_t n)
{
	size_t len = strlen(dst);
	if (len && sep)
		for (const char *s = sep; *s && len + 1 < size; s++)
			dst[len++] = *s;
	for (size_t i = 0; i < n && len + 1 < size; i++)
		dst[len++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	dst[len] = '\0';
}

static void name_text(const X509_NAME *name, char *dst, size_t size)
{
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	dst[0] = '\0';
	if (i >= 0) {
		const ASN1_STRING *s =
			X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
		unsigned char *utf8 = NULL;
		int n = ASN1_STRING_to_UTF8(&utf8, s);
		if (n >= 0) {
			append(dst, size, NULL, utf8, (size_t)n);
			OPENSSL_free(utf8);
			return;
		}
	}
	/* No CN: the whole name, RFC 2253 style. */
	char buf[256];
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		int n = BIO_read(b, buf, sizeof buf);
		if (n > 0)
			append(dst, size, NULL, (unsigned char *)buf, (size_t)n);
	}
	BIO_free(b);
}

static void time_text(const ASN1_TIME *t, char *dst, size_t size)
{
	struct tm tm;
	dst[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(dst, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void san_text(X509 *x, char *dst, size_t size)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	dst[0] = '\0';
	if (!gens)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS) {
			const ASN1_STRING *s = g->d.dNSName;
			append(dst, size, ", ", ASN1_STRING_get0_data(s),
			       (size_t)ASN1_STRING_length(s));
		} else if (g->type == GEN_IPADD) {
			const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
			int n = ASN1_STRING_length(g->d.iPAddress);
			char ip[48] = "";
			if (n == 4)
				snprintf(ip, sizeof ip, "%u.%u.%u.%u", a[0], a[1],
					 a[2], a[3]);
			else if (n == 16)
				for (int k = 0; k < 16; k += 2)
					snprintf(ip + strlen(ip), sizeof ip - strlen(ip),
						 "%s%x", k ? ":" : "",
						 (unsigned)(a[k] << 8 | a[k + 1]));
			if (ip[0])
				append(dst, size, ", ", (unsigned char *)ip,
				       strlen(ip));
		}
	}
	GENERAL_NAMES_free(gens);
}

/* d2i_X509 costs hundreds of microseconds (OpenSSL 3 decodes the public
 * key through its provider decoders), and a busy capture shows the same
 * server certificate on thousands of connections: the last few leaves
 * read are remembered, compared byte for byte (the capture is untrusted,
 * so no hash alone decides).  wstap analyses on one thread. */
#define CACHE_N 32
#define CACHE_DER_MAX 16384

static struct cached {
	uint64_t hash;
	size_t len;
	uint8_t *der;
	struct tls_cert_info info;
	enum tls_cert_result r;
} cache[CACHE_N];
static unsigned cache_next;

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static enum tls_cert_result read_leaf(const uint8_t *leaf, size_t leaf_len,
				      struct tls_cert_info *out)
{
	const unsigned char *p = leaf;
	X509 *x = d2i_X509(NULL, &p, (long)leaf_len);
	if (!x) {
		ERR_clear_error();
		return TLS_CERT_UNREADABLE;
	}
	name_text(X509_get_subject_name(x), out->subject, sizeof out->subject);
	name_text(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
	san_text(x, out->san, sizeof out->san);
	time_text(X509_get0_notBefore(x), out->not_before, sizeof out->not_before);
	time_text(X509_get0_notAfter(x), out->not_after, sizeof out->not_after);
	X509_free(x);
	ERR_clear_error();
	return TLS_CERT_OK;
}

static enum tls_cert_result leaf_cached(const uint8_t *leaf, size_t len,
					struct tls_cert_info *out)
{
	uint64_t h = fnv1a(leaf, len);
	unsigned chain = out->chain;

	for (unsigned i = 0; i < CACHE_N; i++) {
		struct cached *c = &cache[i];
		if (c->der && c->hash == h && c->len == len &&
		    memcmp(c->der, leaf, len) == 0) {
			*out = c->info;
			out->chain = chain;
			return c->r;
		}
	}
	enum tls_cert_result r = read_leaf(leaf, len, out);
	if (len > CACHE_DER_MAX)
		return r;
	struct cached *c = &cache[cache_next];
	uint8_t *copy = realloc(c->der, len ? len : 1);
	if (!copy)
		return r;
	cache_next = (cache_next + 1) % CACHE_N;
	memcpy(copy, leaf, len);
	c->der = copy;
	c->hash = h;
	c->len = len;
	c->info = *out;
	c->r = r;
	return r;
}

enum tls_cert_result tls_cert_parse(const uint8_t *msg, size_t len,
				    bool tls13, struct tls_cert_info *out)
{
	struct cur whole = cur_make(msg, len), c, list;
	uint8_t type;
	size_t mlen, list_len;

	memset(out, 0, sizeof *out);
	if (!cur_u8(&whole, &type) || type != 11 || !u24(&whole, &mlen) ||
	    !cur_sub(&whole, mlen, &c))
		return TLS_CERT_INVALID;
	if (tls13) {
		/* certificate_request_context<0..2^8-1> */
		uint8_t ctx_len;
		if (!cur_u8(&c, &ctx_len) || !cur_skip(&c, ctx_len))
			return TLS_CERT_INVALID;
	}
	if (!u24(&c, &list_len) || !cur_sub(&c, list_len, &list))
		return TLS_CERT_INVALID;
	const uint8_t *leaf = NULL;
	size_t leaf_len = 0;
	while (cur_left(&list) > 0) {
		size_t n;
		if (!u24(&list, &n) || !cur_has(&list, n))
			return TLS_CERT_INVALID;
		if (!leaf) {
			leaf = list.p;
			leaf_len = n;
		}
		cur_skip(&list, n);
		out->chain++;
		if (tls13) {
			uint16_t ext_len;
			if (!cur_be16(&list, &ext_len) || !cur_skip(&list, ext_len))
				return TLS_CERT_INVALID;
		}
	}
	if (!leaf)
		return TLS_CERT_EMPTY;
	return leaf_cached(leaf, leaf_len, out);
}
