/* tls_hello.h - reads a TLS ClientHello or ServerHello handshake message
 * (RFC 8446 §4.1.2, §4.1.3; RFC 5246 §7.4.1) for what can be seen without
 * keys: the server name (RFC 6066 §3), ALPN (RFC 7301 §3.1), the offered
 * and the negotiated version (supported_versions, RFC 8446 §4.2.1), and
 * what decryption needs: the randoms, the suite, HelloRetryRequest and
 * encrypt_then_mac (RFC 7366). */
#ifndef WSTAP_TLS_HELLO_H
#define WSTAP_TLS_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tls_hello {
	uint8_t type;            /* 1 ClientHello, 2 ServerHello */
	uint16_t legacy_version; /* the hello's version field */
	uint16_t version;        /* ServerHello: negotiated (supported_versions
	                            when present); ClientHello: highest offered */
	char sni[256];           /* host_name, NUL-terminated; "" when none */
	char alpn[128];          /* ClientHello: offered, comma-separated;
	                            ServerHello: the chosen protocol */
	uint16_t cipher;         /* ServerHello: the chosen suite */
	uint8_t random[32];      /* the client's or the server's random */
	bool hrr;                /* ServerHello: a HelloRetryRequest (its
	                            random is the RFC 8446 §4.1.3 constant) */
	bool etm;                /* encrypt_then_mac present (RFC 7366) */
};

enum tls_hello_result {
	TLS_HELLO_OK,
	TLS_HELLO_SHORT,         /* need more bytes: the message is longer */
	TLS_HELLO_INVALID,       /* a length or field is inconsistent */
	TLS_HELLO_OTHER,         /* not a ClientHello or ServerHello */
};

/* msg: a handshake message from its type byte (the bodies of consecutive
 * handshake records joined).  Reads through a bounds-checked cursor. */
enum tls_hello_result tls_hello_parse(const uint8_t *msg, size_t len,
				      struct tls_hello *out);

#endif
