/* keylog.h - TLS key log files in the NSS format (SSLKEYLOGFILE), as
 * browsers, curl, Python and OpenSSL write them and as editcap puts them
 * into a pcapng Decryption Secrets Block:
 *
 *   LABEL <client random, 64 hex digits> <secret, hex>
 *
 * one per line; '#' starts a comment line.  Labels kept: CLIENT_RANDOM
 * (a TLS 1.0-1.2 master secret, 48 bytes) and the TLS 1.3 traffic secrets
 * CLIENT/SERVER_HANDSHAKE_TRAFFIC_SECRET and CLIENT/SERVER_TRAFFIC_SECRET_0
 * (32 or 48 bytes: the suite's hash length).  Other known labels
 * (EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET, ...) are skipped; lines
 * that do not parse are counted, never fatal.
 *
 * The text is pushed in pieces of any size (keylog_feed), so a file, a
 * DSB and a growing live file are read the same way.
 */
#ifndef WSTAP_KEYLOG_H
#define WSTAP_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum keylog_secret {
	KL_MASTER,          /* CLIENT_RANDOM: TLS 1.2 master secret */
	KL_CLIENT_HS,       /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
	KL_SERVER_HS,       /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
	KL_CLIENT_AP,       /* CLIENT_TRAFFIC_SECRET_0 */
	KL_SERVER_AP,       /* SERVER_TRAFFIC_SECRET_0 */
	KL_COUNT
};

#define KEYLOG_SECRET_MAX 48  /* SHA-384 output; TLS 1.2 master secret */
#define KEYLOG_LINE_MAX 512   /* longer lines are not key log lines */
#define KEYLOG_MAX_ENTRIES (1u << 18) /* client randoms kept (~75 MB) */

/* The secrets logged for one client random. */
struct keylog_entry {
	uint8_t random[32];
	uint8_t len[KL_COUNT];          /* 0 = not logged */
	uint8_t secret[KL_COUNT][KEYLOG_SECRET_MAX];
};

struct keylog_stats {
	uint64_t lines;       /* lines read (comments and blanks included) */
	uint64_t secrets;     /* secrets stored */
	uint64_t entries;     /* distinct client randoms */
	uint64_t skipped;     /* known labels wstap does not use */
	uint64_t bad;         /* lines that do not parse */
	uint64_t first_bad;   /* line number of the first bad line (from 1) */
	uint64_t cap_hits;    /* secrets dropped: KEYLOG_MAX_ENTRIES reached */
};

struct keylog;

struct keylog *keylog_new(void);
void keylog_free(struct keylog *kl);

/* Pushes key log text; a line may be split across calls. */
void keylog_feed(struct keylog *kl, const uint8_t *p, size_t n);
/* End of one text (file or DSB): a last line without a newline counts. */
void keylog_end(struct keylog *kl);

/* Reads a whole file through keylog_feed/keylog_end.  Returns false when
 * it cannot be opened or read (errno is set). */
bool keylog_load_file(struct keylog *kl, const char *path);

/* The secrets for a client random, or NULL.  Borrowed: valid until the
 * next feed. */
const struct keylog_entry *keylog_find(const struct keylog *kl,
				       const uint8_t random[32]);

const struct keylog_stats *keylog_stats(const struct keylog *kl);

#endif
