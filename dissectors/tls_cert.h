/* tls_cert.h - the leaf certificate of a TLS Certificate handshake
 * message (RFC 5246 §7.4.2; RFC 8446 §4.4.2 adds a request context and
 * per-entry extensions), read with libcrypto's d2i_X509: subject and
 * issuer common names, subjectAltName DNS names and addresses, validity.
 * Every string is reduced to printable ASCII (captured bytes). */
#ifndef WSTAP_TLS_CERT_H
#define WSTAP_TLS_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tls_cert_info {
	char subject[256];     /* subject CN, else the whole subject name */
	char issuer[256];      /* issuer CN, else the whole issuer name */
	char san[512];         /* DNS names and IP addresses, ", "-joined */
	char not_before[24];   /* "2025-01-31T12:00:00Z" */
	char not_after[24];
	unsigned chain;        /* certificates in the message */
};

enum tls_cert_result {
	TLS_CERT_OK,
	TLS_CERT_EMPTY,        /* no certificate (e.g. a client's empty one) */
	TLS_CERT_INVALID,      /* lengths inconsistent */
	TLS_CERT_UNREADABLE,   /* the leaf is not a DER X.509 certificate */
};

/* msg: the whole handshake message from its type byte (11). */
enum tls_cert_result tls_cert_parse(const uint8_t *msg, size_t len,
				    bool tls13, struct tls_cert_info *out);

#endif
