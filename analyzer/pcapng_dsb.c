/* pcapng_dsb.c - walks a pcapng file's blocks for Decryption Secrets
 * Blocks (pcapng §4.7): each block is type (4), total length (4), body,
 * total length again; the Section Header Block's byte-order magic says
 * how every number of its section is written (§4.1). */
#include "pcapng_dsb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_DSB 0x0000000Au
#define BOM 0x1A2B3C4Du
#define SECRETS_TLS 0x544c534bu /* "TLSK": an NSS key log */

static uint32_t rd32(const uint8_t *p, bool le)
{
	uint32_t v;
	struct cur c = cur_make(p, 4);
	if (le)
		cur_le32(&c, &v);
	else
		cur_be32(&c, &v);
	return v;
}

void pcapng_dsb_load(const char *path, struct keylog *kl,
		     struct dsb_result *res)
{
	uint8_t h[12];
	bool le = true;
	FILE *f;

	memset(res, 0, sizeof *res);
	f = fopen(path, "rb");
	if (!f)
		return;
	if (fread(h, 1, 12, f) != 12 || rd32(h, true) != BT_SHB) {
		fclose(f);
		return;
	}
	/* The SHB's type reads the same in both orders; its magic tells. */
	if (rd32(h + 8, true) == BOM)
		le = true;
	else if (rd32(h + 8, false) == BOM)
		le = false;
	else {
		fclose(f);
		return;
	}
	res->pcapng = true;
	long long at = 0;
	for (;;) {
		if (fseeko(f, at, SEEK_SET) != 0 || fread(h, 1, 12, f) < 8)
			break;
		uint32_t type = rd32(h, le);
		if (type == BT_SHB) {
			/* a new section: its own byte order */
			if (rd32(h + 8, true) == BOM)
				le = true;
			else if (rd32(h + 8, false) == BOM)
				le = false;
		}
		uint32_t len = rd32(h + 4, le);
		/* §3.1: a block is at least 12 bytes, a multiple of 4. */
		if (len < 12 || len % 4) {
			res->damaged = true;
			break;
		}
		if (type == BT_DSB && len >= 20) {
			uint32_t st = rd32(h + 8, le);
			uint8_t l4[4];
			if (fread(l4, 1, 4, f) != 4) {
				res->damaged = true;
				break;
			}
			uint32_t slen = rd32(l4, le);
			if (slen > len - 20) {
				res->damaged = true;
				break;
			}
			if (st != SECRETS_TLS) {
				res->other++;
			} else if (slen > DSB_MAX) {
				res->too_big++;
			} else {
				uint8_t buf[16384];
				uint32_t left = slen;
				while (left) {
					size_t k = left < sizeof buf ? left : sizeof buf;
					if (fread(buf, 1, k, f) != k) {
						res->damaged = true;
						break;
					}
					keylog_feed(kl, buf, k);
					left -= (uint32_t)k;
				}
				keylog_end(kl);
				res->blocks++;
				res->bytes += slen - left;
				if (left)
					break;
			}
		}
		at += len;
	}
	fclose(f);
}
