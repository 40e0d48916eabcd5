/* tls_keys.h - TLS cipher suites and key derivation, computed with
 * OpenSSL's libcrypto (EVP KDFs; no hand-written crypto):
 *   TLS 1.0-1.2: the PRF (RFC 5246 §5; RFC 2246 §5 for 1.0/1.1) and the
 *                key block (RFC 5246 §6.3) from a logged master secret;
 *   TLS 1.3:     HKDF-Expand-Label (RFC 8446 §7.1), traffic keys and IVs
 *                from a logged traffic secret (§7.3), and the next
 *                generation of a secret after KeyUpdate (§7.2).
 */
#ifndef WSTAP_TLS_KEYS_H
#define WSTAP_TLS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tls_cipher_kind {
	TLS_CK_AES_GCM,   /* RFC 5288 (1.2), RFC 8446 §5.3 (1.3) */
	TLS_CK_CHACHA,    /* RFC 7905 (1.2), RFC 8446 §5.3 (1.3) */
	TLS_CK_AES_CBC,   /* RFC 5246 §6.2.3.2 with HMAC */
};

struct tls_suite {
	uint16_t id;             /* IANA cipher suite number */
	const char *name;        /* IANA name */
	enum tls_cipher_kind kind;
	uint8_t key_len;         /* 16 or 32 */
	uint8_t iv_len;          /* TLS 1.2 key block IV: 4 GCM salt, 12
	                            ChaCha20, 16 CBC; TLS 1.3: 12 */
	uint8_t mac_len;         /* CBC: HMAC output 20/32/48; AEAD: 0 */
	uint8_t hash_len;        /* PRF/HKDF hash: 32 SHA-256, 48 SHA-384 */
	bool tls13;              /* a TLS 1.3 suite (RFC 8446 §B.4) */
};

#define TLS_KEY_MAX 32
#define TLS_IV_MAX 16
#define TLS_MAC_MAX 48
#define TLS_HASH_MAX 48

/* One direction's keys. */
struct tls_dir_keys {
	uint8_t key[TLS_KEY_MAX];
	uint8_t iv[TLS_IV_MAX];
	uint8_t mac[TLS_MAC_MAX];
};

/* The suite, or NULL when wstap cannot decrypt it. */
const struct tls_suite *tls_suite_find(uint16_t id);

/* PRF(secret, label, seed) (RFC 5246 §5) for `version` (0x0303 uses the
 * suite's hash, SHA-256 unless hash_len is 48; older versions the
 * MD5/SHA-1 PRF of RFC 2246 §5). */
bool tls_prf(uint16_t version, uint8_t hash_len, const uint8_t *secret,
	     size_t secret_len, const char *label, const uint8_t *seed,
	     size_t seed_len, uint8_t *out, size_t out_len);

/* The key block (RFC 5246 §6.3) split into the client's and the server's
 * keys. */
bool tls12_keys(const struct tls_suite *s, uint16_t version,
		const uint8_t master[48], const uint8_t client_random[32],
		const uint8_t server_random[32], struct tls_dir_keys *client,
		struct tls_dir_keys *server);

/* HKDF-Expand-Label(secret, label, context, out_len) with the hash of
 * hash_len bytes; `label` without the "tls13 " prefix. */
bool tls13_expand_label(uint8_t hash_len, const uint8_t *secret,
			const char *label, const uint8_t *context,
			size_t context_len, uint8_t *out, size_t out_len);

/* key and iv of a traffic secret (RFC 8446 §7.3). */
bool tls13_keys(const struct tls_suite *s, const uint8_t *secret,
		struct tls_dir_keys *out);

/* application_traffic_secret_N+1 (RFC 8446 §7.2), in place. */
bool tls13_next_secret(uint8_t hash_len, uint8_t *secret);

#endif
