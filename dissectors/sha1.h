/* sha1.h - SHA-1 (RFC 3174), used only for Sec-WebSocket-Accept
 * (RFC 6455 §4.2.2), not for anything that needs collision resistance. */
#ifndef WSTAP_SHA1_H
#define WSTAP_SHA1_H

#include <stddef.h>
#include <stdint.h>

struct sha1_ctx {
	uint32_t h[5];
	uint64_t total;     /* bytes hashed so far */
	uint8_t block[64];
	size_t used;        /* bytes waiting in block */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
void sha1_final(struct sha1_ctx *c, uint8_t digest[20]);

#endif
