/* pcapng_dsb.h - TLS key logs embedded in a pcapng file: Decryption
 * Secrets Blocks (block type 0x0000000A, secrets type 0x544c534b "TLSK",
 * draft-ietf-opsawg-pcapng §4.7), as `editcap --inject-secrets tls,FILE`
 * writes them.  libpcap skips these blocks, so the file's block headers
 * are walked separately, before the packets are read. */
#ifndef WSTAP_PCAPNG_DSB_H
#define WSTAP_PCAPNG_DSB_H

#include <stdbool.h>
#include <stdint.h>

#include "keylog.h"

/* A DSB's secrets above this are not read (a key log of a million
 * sessions is ~200 MB; a capture claiming more is not trusted). */
#define DSB_MAX (64u * 1024 * 1024)

struct dsb_result {
	bool pcapng;          /* the file is pcapng */
	uint64_t blocks;      /* DSBs with TLS key log secrets */
	uint64_t bytes;       /* their secrets' bytes */
	uint64_t other;       /* DSBs of other secret types (skipped) */
	uint64_t too_big;     /* DSBs over DSB_MAX (skipped) */
	bool damaged;         /* a block header was inconsistent: the walk
	                         stopped there (libpcap will say more) */
};

/* Feeds every TLS key log DSB of the file at `path` into kl.  A file that
 * is not pcapng (or cannot be opened) gives pcapng == false. */
void pcapng_dsb_load(const char *path, struct keylog *kl,
		     struct dsb_result *res);

#endif
