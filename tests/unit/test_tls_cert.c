/* test_tls_cert.c - the leaf certificate of a Certificate message (RFC
 * 5246 §7.4.2, RFC 8446 §4.4.2): a certificate made here with libcrypto,
 * in both message formats; empty, truncated and non-X.509 leaves. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "suites.h"
#include "tls_cert.h"

static unsigned char *make_cert(int *len)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	unsigned char *der = NULL;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	ASN1_TIME_set_string(X509_getm_notBefore(x), "20250102030405Z");
	ASN1_TIME_set_string(X509_getm_notAfter(x), "20260102030405Z");
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_ASC,
				   (const unsigned char *)"Lab", -1, -1, 0);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"wss.lab.test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(X509_get_issuer_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"Lab CA", -1, -1, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL,
		NID_subject_alt_name,
		"DNS:wss.lab.test,DNS:*.example.test,IP:192.0.2.1,IP:2001:db8::1");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_set_pubkey(x, key);
	X509_sign(x, key, EVP_sha256());
	*len = i2d_X509(x, &der);
	X509_free(x);
	EVP_PKEY_free(key);
	return der;
}

static size_t put24(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
	return 3;
}

/* A Certificate message holding `der` twice (leaf and "CA"). */
static size_t message(uint8_t *m, const unsigned char *der, size_t n,
		      bool tls13)
{
	size_t entry = 3 + n + (tls13 ? 2 : 0);
	size_t list = 2 * entry;
	size_t body = (tls13 ? 1 : 0) + 3 + list;
	size_t k = 0;

	m[k++] = 11;
	k += put24(m + k, body);
	if (tls13)
		m[k++] = 0; /* empty certificate_request_context */
	k += put24(m + k, list);
	for (int i = 0; i < 2; i++) {
		k += put24(m + k, n);
		memcpy(m + k, der, n);
		k += n;
		if (tls13) {
			m[k++] = 0;
			m[k++] = 0;
		}
	}
	return k;
}

static void test_both_formats(void)
{
	int n;
	unsigned char *der = make_cert(&n);
	uint8_t *m = malloc(2 * (size_t)n + 64);
	struct tls_cert_info ci;

	CU_ASSERT_FATAL(der != NULL && n > 0);
	for (int v13 = 0; v13 < 2; v13++) {
		size_t len = message(m, der, (size_t)n, v13);
		CU_ASSERT_EQUAL_FATAL(tls_cert_parse(m, len, v13, &ci), TLS_CERT_OK);
		CU_ASSERT_STRING_EQUAL(ci.subject, "wss.lab.test");
		CU_ASSERT_STRING_EQUAL(ci.issuer, "Lab CA");
		CU_ASSERT_STRING_EQUAL(ci.san, "wss.lab.test, *.example.test, "
				       "192.0.2.1, 2001:db8:0:0:0:0:0:1");
		CU_ASSERT_STRING_EQUAL(ci.not_before, "2025-01-02T03:04:05Z");
		CU_ASSERT_STRING_EQUAL(ci.not_after, "2026-01-02T03:04:05Z");
		CU_ASSERT_EQUAL(ci.chain, 2);
		/* the other format's reading fails cleanly */
		CU_ASSERT_NOT_EQUAL(tls_cert_parse(m, len, !v13, &ci), TLS_CERT_OK);
		/* every prefix is INVALID, never an over-read (ASan) */
		bool all = true;
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *copy = malloc(cut ? cut : 1);
			memcpy(copy, m, cut);
			all = all && tls_cert_parse(copy, cut, v13, &ci) ==
					     TLS_CERT_INVALID;
			free(copy);
		}
		CU_ASSERT_TRUE(all);
	}
	free(m);
	OPENSSL_free(der);
}

static void test_empty_and_garbage(void)
{
	struct tls_cert_info ci;
	/* TLS 1.2, empty list (a client without a certificate) */
	static const uint8_t empty[] = { 11, 0, 0, 3, 0, 0, 0 };
	CU_ASSERT_EQUAL(tls_cert_parse(empty, sizeof empty, false, &ci),
			TLS_CERT_EMPTY);
	/* a leaf that is not DER */
	static const uint8_t junk[] = { 11, 0, 0, 10, 0, 0, 7, 0, 0, 4,
					'j', 'u', 'n', 'k' };
	CU_ASSERT_EQUAL(tls_cert_parse(junk, sizeof junk, false, &ci),
			TLS_CERT_UNREADABLE);
	/* not a Certificate */
	static const uint8_t fin[] = { 20, 0, 0, 0 };
	CU_ASSERT_EQUAL(tls_cert_parse(fin, sizeof fin, false, &ci),
			TLS_CERT_INVALID);
}

/* Leaves are remembered: the same bytes give the same answer, one byte
 * changed gives the new answer, never the remembered one. */
static void test_cache_exact(void)
{
	int n;
	unsigned char *der = make_cert(&n);
	uint8_t *m = malloc(2 * (size_t)n + 64);
	struct tls_cert_info a, b;

	size_t len = message(m, der, (size_t)n, false);
	CU_ASSERT_EQUAL_FATAL(tls_cert_parse(m, len, false, &a), TLS_CERT_OK);
	CU_ASSERT_EQUAL_FATAL(tls_cert_parse(m, len, false, &b), TLS_CERT_OK);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
	uint8_t *cn = memmem(m, len, "wss.lab.test", 12);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cn);
	*cn = 'x';
	CU_ASSERT_EQUAL_FATAL(tls_cert_parse(m, len, false, &b), TLS_CERT_OK);
	CU_ASSERT_STRING_EQUAL(b.subject, "xss.lab.test");
	*cn = 'w';
	CU_ASSERT_EQUAL_FATAL(tls_cert_parse(m, len, false, &b), TLS_CERT_OK);
	CU_ASSERT_STRING_EQUAL(b.subject, "wss.lab.test");
	free(m);
	OPENSSL_free(der);
}

int add_tls_cert_suite(void)
{
	CU_pSuite s = CU_add_suite("tls_cert", NULL, NULL);
	if (!s ||
	    !CU_add_test(s, "TLS 1.2 and 1.3 formats, every prefix",
			 test_both_formats) ||
	    !CU_add_test(s, "empty list, non-DER leaf, other message",
			 test_empty_and_garbage) ||
	    !CU_add_test(s, "remembered leaves are compared byte for byte",
			 test_cache_exact))
		return -1;
	return 0;
}
