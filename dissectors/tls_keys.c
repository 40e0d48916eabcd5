/* tls_keys.c - cipher suites and TLS key derivation with libcrypto's
 * EVP_KDF "TLS1-PRF" and "HKDF", and EVP_MAC "HMAC" (OpenSSL 3). */
#include "tls_keys.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#define AEAD(id, name, kind, key, iv, hash, v13) \
	{ id, name, kind, key, iv, 0, hash, v13 }
#define CBC(id, name, key, mac, hash) \
	{ id, name, TLS_CK_AES_CBC, key, 16, mac, hash, false }

/* The suites clients and servers negotiate today.  A _SHA suite in TLS
 * 1.2 uses the SHA-256 PRF (RFC 5246 §5); _SHA384 suites SHA-384. */
static const struct tls_suite suites[] = {
	AEAD(0x1301, "TLS_AES_128_GCM_SHA256", TLS_CK_AES_GCM, 16, 12, 32, true),
	AEAD(0x1302, "TLS_AES_256_GCM_SHA384", TLS_CK_AES_GCM, 32, 12, 48, true),
	AEAD(0x1303, "TLS_CHACHA20_POLY1305_SHA256", TLS_CK_CHACHA, 32, 12, 32, true),
	AEAD(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", TLS_CK_AES_GCM, 16, 4, 32, false),
	AEAD(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", TLS_CK_AES_GCM, 32, 4, 48, false),
	AEAD(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TLS_CK_AES_GCM, 16, 4, 32, false),
	AEAD(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TLS_CK_AES_GCM, 32, 4, 48, false),
	AEAD(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", TLS_CK_AES_GCM, 16, 4, 32, false),
	AEAD(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", TLS_CK_AES_GCM, 32, 4, 48, false),
	AEAD(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", TLS_CK_AES_GCM, 16, 4, 32, false),
	AEAD(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", TLS_CK_AES_GCM, 32, 4, 48, false),
	AEAD(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLS_CK_CHACHA, 32, 12, 32, false),
	AEAD(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", TLS_CK_CHACHA, 32, 12, 32, false),
	AEAD(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TLS_CK_CHACHA, 32, 12, 32, false),
	CBC(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", 16, 20, 32),
	CBC(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", 32, 20, 32),
	CBC(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", 16, 32, 32),
	CBC(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", 32, 32, 32),
	CBC(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 16, 20, 32),
	CBC(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 32, 20, 32),
	CBC(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 16, 32, 32),
	CBC(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 32, 32, 32),
	CBC(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 16, 20, 32),
	CBC(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 32, 20, 32),
	CBC(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 16, 20, 32),
	CBC(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 32, 20, 32),
	CBC(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 16, 32, 32),
	CBC(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 32, 48, 48),
	CBC(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 16, 32, 32),
	CBC(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 32, 48, 48),
};

const struct tls_suite *tls_suite_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

static const char *hash_name(uint8_t hash_len)
{
	return hash_len == 48 ? "SHA384" : "SHA256";
}

/* Fetched once per process: fetching looks providers up by name.  (A
 * context per call: OpenSSL 3.0 cannot copy KDF contexts, and a reused
 * one saved little, measured.)  wstap analyses on one thread. */
static EVP_KDF *kdf_get(const char *name)
{
	static EVP_KDF *prf, *hkdf;
	EVP_KDF **slot = strcmp(name, "TLS1-PRF") == 0 ? &prf : &hkdf;

	if (!*slot)
		*slot = EVP_KDF_fetch(NULL, name, NULL);
	return *slot;
}

static bool kdf_run(const char *name, OSSL_PARAM *params, uint8_t *out,
		    size_t out_len)
{
	EVP_KDF *kdf = kdf_get(name);
	if (!kdf)
		return false;
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
	if (!ctx)
		return false;
	bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
	EVP_KDF_CTX_free(ctx);
	return ok;
}

bool tls_prf(uint16_t version, uint8_t hash_len, const uint8_t *secret,
	     size_t secret_len, const char *label, const uint8_t *seed,
	     size_t seed_len, uint8_t *out, size_t out_len)
{
	/* TLS 1.0/1.1 split the secret between P_MD5 and P_SHA1 (RFC 2246
	 * §5), which OpenSSL names the "MD5-SHA1" digest for this KDF. */
	const char *md = version >= 0x0303 ? hash_name(hash_len) : "MD5-SHA1";
	OSSL_PARAM p[5], *q = p;

	/* The PRF's seed is label + seed; repeated seed parameters are
	 * concatenated by the provider. */
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)md, 0);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
						 (void *)secret, secret_len);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
						 (void *)label, strlen(label));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
						 (void *)seed, seed_len);
	*q = OSSL_PARAM_construct_end();
	return kdf_run("TLS1-PRF", p, out, out_len);
}

/* The key blocks of the last few TLS 1.2 connections: both legs of a
 * proxy carry the same randoms and master secret (see tls13_keys). */
#define KEY12_CACHE 32
struct key12_cache_entry {
	uint16_t suite, version;
	uint8_t master[48], randoms[64];
	struct tls_dir_keys client, server;
};

static bool tls12_keys_derive(const struct tls_suite *s, uint16_t version,
			      const uint8_t master[48],
			      const uint8_t client_random[32],
			      const uint8_t server_random[32],
			      struct tls_dir_keys *client,
			      struct tls_dir_keys *server);

bool tls12_keys(const struct tls_suite *s, uint16_t version,
		const uint8_t master[48], const uint8_t client_random[32],
		const uint8_t server_random[32], struct tls_dir_keys *client,
		struct tls_dir_keys *server)
{
	static struct key12_cache_entry cache[KEY12_CACHE];
	static unsigned used, next;
	uint8_t randoms[64];

	memcpy(randoms, client_random, 32);
	memcpy(randoms + 32, server_random, 32);
	for (unsigned i = 0; i < used; i++) {
		struct key12_cache_entry *e = &cache[i];
		if (e->suite == s->id && e->version == version &&
		    memcmp(e->master, master, 48) == 0 &&
		    memcmp(e->randoms, randoms, 64) == 0) {
			*client = e->client;
			*server = e->server;
			return true;
		}
	}
	if (!tls12_keys_derive(s, version, master, client_random,
			       server_random, client, server))
		return false;
	struct key12_cache_entry *e = &cache[next];
	next = (next + 1) % KEY12_CACHE;
	if (used < KEY12_CACHE)
		used++;
	e->suite = s->id;
	e->version = version;
	memcpy(e->master, master, 48);
	memcpy(e->randoms, randoms, 64);
	e->client = *client;
	e->server = *server;
	return true;
}

static bool tls12_keys_derive(const struct tls_suite *s, uint16_t version,
			      const uint8_t master[48],
			      const uint8_t client_random[32],
			      const uint8_t server_random[32],
			      struct tls_dir_keys *client,
			      struct tls_dir_keys *server)
{
	uint8_t seed[64];
	uint8_t block[2 * (TLS_MAC_MAX + TLS_KEY_MAX + TLS_IV_MAX)];
	size_t need = 2u * (s->mac_len + s->key_len + s->iv_len);

	/* RFC 5246 §6.3: key_block = PRF(master, "key expansion",
	 * server_random + client_random), cut in this order. */
	memcpy(seed, server_random, 32);
	memcpy(seed + 32, client_random, 32);
	if (!tls_prf(version, s->hash_len, master, 48, "key expansion", seed,
		     sizeof seed, block, need))
		return false;
	const uint8_t *p = block;
	memset(client, 0, sizeof *client);
	memset(server, 0, sizeof *server);
	memcpy(client->mac, p, s->mac_len); p += s->mac_len;
	memcpy(server->mac, p, s->mac_len); p += s->mac_len;
	memcpy(client->key, p, s->key_len); p += s->key_len;
	memcpy(server->key, p, s->key_len); p += s->key_len;
	memcpy(client->iv, p, s->iv_len); p += s->iv_len;
	memcpy(server->iv, p, s->iv_len);
	return true;
}

/* An HMAC context for the hash, made once and keyed anew for each use
 * (EVP_MAC_init with a key). */
static EVP_MAC_CTX *hmac_ctx(uint8_t hash_len)
{
	static EVP_MAC *hmac;
	static EVP_MAC_CTX *ctx[2];
	int i = hash_len == 48;

	if (ctx[i])
		return ctx[i];
	if (!hmac && !(hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)))
		return NULL;
	EVP_MAC_CTX *c = EVP_MAC_CTX_new(hmac);
	OSSL_PARAM p[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)hash_name(hash_len), 0),
		OSSL_PARAM_construct_end(),
	};
	if (!c || EVP_MAC_CTX_set_params(c, p) != 1) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	ctx[i] = c;
	return c;
}

bool tls13_expand_label(uint8_t hash_len, const uint8_t *secret,
			const char *label, const uint8_t *context,
			size_t context_len, uint8_t *out, size_t out_len)
{
	/* RFC 8446 §7.1:
	 *   struct { uint16 length; opaque label<7..255> = "tls13 " + Label;
	 *            opaque context<0..255>; } HkdfLabel; */
	uint8_t info[2 + 1 + 255 + 1 + 255 + 1]; /* + HKDF's counter byte */
	size_t ll = strlen(label);
	size_t n = 0;

	if (ll > 255 - 6 || context_len > 255 || out_len > 0xffff)
		return false;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = (uint8_t)context_len;
	if (context_len)
		memcpy(info + n, context, context_len);
	n += context_len;

	/* RFC 5869 §2.3: T(1) = HMAC-Hash(PRK, info | 0x01) is the whole
	 * output when it is no longer than the hash, as every TLS 1.3 key,
	 * IV and secret is: one HMAC with a kept context instead of a KDF
	 * context per label (24k instructions each, the largest cost of
	 * decrypting short wss connections: make bench's wss mix). */
	EVP_MAC_CTX *mac = out_len <= hash_len ? hmac_ctx(hash_len) : NULL;
	if (mac) {
		uint8_t t[EVP_MAX_MD_SIZE];
		size_t tl = 0;
		info[n++] = 0x01;
		if (EVP_MAC_init(mac, secret, hash_len, NULL) != 1 ||
		    EVP_MAC_update(mac, info, n) != 1 ||
		    EVP_MAC_final(mac, t, &tl, sizeof t) != 1 || tl < out_len)
			return false;
		memcpy(out, t, out_len);
		return true;
	}

	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM p[5], *q = p;
	*q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)hash_name(hash_len), 0);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)secret, hash_len);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	*q = OSSL_PARAM_construct_end();
	return kdf_run("HKDF", p, out, out_len);
}

/* The keys of the last few traffic secrets: both legs of a proxy carry
 * the same TLS bytes, so each secret is expanded twice within a moment
 * (make bench's wss mix: half of the key derivations).  A copy of the
 * secret is the key; a fixed ring, oldest overwritten. */
#define KEY_CACHE 64
struct key_cache_entry {
	uint16_t suite;
	uint8_t secret[TLS_HASH_MAX];
	struct tls_dir_keys keys;
};

bool tls13_keys(const struct tls_suite *s, const uint8_t *secret,
		struct tls_dir_keys *out)
{
	static struct key_cache_entry cache[KEY_CACHE];
	static unsigned used, next;

	for (unsigned i = 0; i < used; i++) {
		if (cache[i].suite == s->id &&
		    memcmp(cache[i].secret, secret, s->hash_len) == 0) {
			*out = cache[i].keys;
			return true;
		}
	}
	memset(out, 0, sizeof *out);
	/* RFC 8446 §7.3: [sender]_write_key = HKDF-Expand-Label(Secret,
	 * "key", "", key_length); _iv likewise with "iv", iv_length. */
	if (!tls13_expand_label(s->hash_len, secret, "key", NULL, 0, out->key,
				s->key_len) ||
	    !tls13_expand_label(s->hash_len, secret, "iv", NULL, 0, out->iv,
				s->iv_len))
		return false;
	struct key_cache_entry *e = &cache[next];
	next = (next + 1) % KEY_CACHE;
	if (used < KEY_CACHE)
		used++;
	memset(e, 0, sizeof *e);
	e->suite = s->id;
	memcpy(e->secret, secret, s->hash_len);
	e->keys = *out;
	return true;
}

bool tls13_next_secret(uint8_t hash_len, uint8_t *secret)
{
	uint8_t next[TLS_HASH_MAX];

	/* RFC 8446 §7.2: application_traffic_secret_N+1 =
	 * HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
	 * Hash.length). */
	if (!tls13_expand_label(hash_len, secret, "traffic upd", NULL, 0, next,
				hash_len))
		return false;
	memcpy(secret, next, hash_len);
	return true;
}
