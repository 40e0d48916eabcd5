/* tls_decrypt.h - one TLS connection's record layer, both directions.
 *
 * Takes each direction's TCP byte stream (in pieces of any size) and:
 *  - reassembles records however TCP split or coalesced them (RFC 8446
 *    §5.1, RFC 5246 §6.2), and handshake messages across records (§5.1:
 *    they may be split and coalesced too);
 *  - follows the handshake: ClientHello and ServerHello (randoms, version,
 *    suite, HelloRetryRequest), ChangeCipherSpec, Finished, KeyUpdate;
 *  - when the key log holds the session's secrets (looked up by the
 *    client random), decrypts: TLS 1.2 from CLIENT_RANDOM (AES-GCM,
 *    ChaCha20-Poly1305, AES-CBC with HMAC, encrypt-then-MAC) and TLS 1.3
 *    from the traffic secrets (AES-GCM, ChaCha20-Poly1305; the encrypted
 *    handshake, application data, KeyUpdate);
 *  - hands out, through callbacks, record headers, whole handshake
 *    messages, alerts, and decrypted application data: the byte stream of
 *    the layer above.
 *
 * Events are identical however the input is split.  Memory: one record
 * buffer per direction (only when a record spans pieces), one plaintext
 * buffer per decrypting direction, and a handshake buffer capped at
 * TLS_HS_MAX.  Nothing is allocated per record.
 */
#ifndef WSTAP_TLS_DECRYPT_H
#define WSTAP_TLS_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keylog.h"
#include "tls_keys.h"

enum tls_content {
	TLS_CT_CCS = 20,
	TLS_CT_ALERT = 21,
	TLS_CT_HANDSHAKE = 22,
	TLS_CT_APP = 23,
	TLS_CT_HEARTBEAT = 24,
};

/* RFC 5246 §6.2.3: a protected record is at most 2^14 + 2048 bytes (TLS
 * 1.3 allows only 2^14 + 256, RFC 8446 §5.2). */
#define TLS_RECORD_MAX (16384 + 2048)
/* A handshake message longer than this (a huge certificate chain) is
 * skipped, with a note: 2^24 is what the length field allows. */
#define TLS_HS_MAX (256 * 1024)

struct tls_dec_cb {
	void *ctx;
	/* Every record's header as on the wire. */
	void (*record)(void *ctx, int dir, uint8_t type, uint16_t version,
		       uint32_t len);
	/* A whole handshake message from its type byte, in the clear or
	 * decrypted (borrowed for the call). */
	void (*handshake)(void *ctx, int dir, const uint8_t *msg, size_t len,
			  bool decrypted);
	/* An alert (RFC 8446 §6), in the clear or decrypted. */
	void (*alert)(void *ctx, int dir, uint8_t level, uint8_t desc,
		      bool decrypted);
	/* Decrypted application data (borrowed for the call). */
	void (*app_data)(void *ctx, int dir, const uint8_t *p, size_t n);
	/* Something the user should know: level 0 info, 1 warning, 2 error;
	 * text without the packet number (the caller knows it). */
	void (*note)(void *ctx, int dir, int level, const char *code,
		     const char *text);
};

/* What the connection showed so far. */
struct tls_dec_info {
	bool have_client_random;
	uint8_t client_random[32];
	bool server_hello;           /* a ServerHello (not an HRR) was read */
	uint16_t version;            /* negotiated */
	uint16_t cipher;             /* negotiated suite */
	const struct tls_suite *suite; /* NULL: not one wstap decrypts */
	bool hrr;                    /* a HelloRetryRequest came first */
	bool etm;                    /* encrypt_then_mac negotiated */
	bool keylog_given;           /* there was a key log to look in */
	bool keys_found;             /* the key log had usable secrets */
	bool keys_partial;           /* TLS 1.3: no handshake secrets, the
	                                handshake stays encrypted */
	bool decrypting[2];          /* records of this direction are being
	                                decrypted */
	bool failed[2];              /* decryption stopped: wrong key or a
	                                malformed protected record */
	uint64_t records[2];         /* records seen */
	uint64_t decrypted[2];       /* records decrypted */
	uint64_t skipped[2];         /* protected records not decrypted */
	uint64_t auth_failures[2];   /* records whose tag or MAC failed */
	uint64_t key_updates[2];     /* KeyUpdate messages followed */
	uint64_t hs_cap_hits;        /* handshake messages over TLS_HS_MAX */
	bool dead[2];                /* the bytes stopped looking like TLS */
};

struct tls_dec;

/* kl may be NULL (no key log: records are followed, not decrypted);
 * it and cb are borrowed and must outlive the decoder. */
struct tls_dec *tls_dec_new(const struct keylog *kl,
			    const struct tls_dec_cb *cb);
void tls_dec_free(struct tls_dec *td);

/* One direction's next bytes (0 client, 1 server). */
void tls_dec_feed(struct tls_dec *td, int dir, const uint8_t *p, size_t n);

/* Bytes of this direction were lost: records cannot be followed any
 * more, so the direction stops (without a note: the caller has one). */
void tls_dec_gap(struct tls_dec *td, int dir);

const struct tls_dec_info *tls_dec_info(const struct tls_dec *td);

#endif
