/* leg_tls.c - TLS inside a tunnel, recognised by its record layer
 * (RFC 8446 §5.1, RFC 5246 §6.2): content types, ChangeCipherSpec,
 * cleartext alerts and application data are noted so the verdict can say
 * whether the TLS handshake completed.  Decryption is a later layer. */
#include "leg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_hello.h"

enum {
	TLS_CCS = 20,
	TLS_ALERT = 21,
	TLS_HANDSHAKE = 22,
	TLS_APP_DATA = 23,
	TLS_HEARTBEAT = 24,
};

/* A ClientHello is a few hundred bytes to a few KB (post-quantum key
 * shares make it bigger); more than this is not a hello worth reading. */
#define TLS_HELLO_MAX 16384

/* RFC 8446 §5.1: a record length must not exceed 2^14 + 256 (TLS 1.3
 * ciphertext) or 2^14 + 2048 (TLS 1.2 ciphertext). */
#define TLS_MAX_RECORD (16384 + 2048)

bool tls_looks_like_record(const uint8_t *p, size_t n)
{
	/* A handshake record (22), protocol major version 3. */
	if (n < 1 || p[0] != TLS_HANDSHAKE)
		return false;
	if (n >= 2 && p[1] != 3)
		return false;
	if (n >= 3 && p[2] > 4)
		return false;
	return true;
}

static void record_start(struct leg_state *ls, int dir, struct lane_dir *d)
{
	struct tls_info *t = &ls->pub.tls;
	uint8_t type = d->tls_hdr[0];
	uint16_t ver = (uint16_t)(d->tls_hdr[1] << 8 | d->tls_hdr[2]);
	uint32_t len = (uint32_t)d->tls_hdr[3] << 8 | d->tls_hdr[4];

	if (type < TLS_CCS || type > TLS_HEARTBEAT || d->tls_hdr[1] != 3 ||
	    len > TLS_MAX_RECORD) {
		leg_note(&ls->pub, NOTE_WARN, "tls_bad_record",
			 "%s: bytes inside the tunnel stopped looking like TLS "
			 "records (type %u, version 0x%04x, length %u; RFC 8446 "
			 "§5.1) at packet %llu",
			 dir_name((enum dir)dir), type, ver, len,
			 (unsigned long long)ls->pm->num);
		d->lane = LANE_OPAQUE;
		return;
	}
	if (!t->version)
		t->version = ver; /* until a hello says better */
	d->tls_type = type;
	d->tls_left = len;
	d->tls_body_seen = 0;
	if (type == TLS_CCS)
		t->ccs[dir] = true;
	if (type == TLS_APP_DATA)
		t->app_data[dir] = true;
}

/* Looks at a record's first body bytes: handshake type or alert. */
static void record_body_byte(struct leg_state *ls, int dir,
			     struct lane_dir *d, uint8_t b)
{
	struct tls_info *t = &ls->pub.tls;

	if (d->tls_body_seen < 2)
		d->tls_first[d->tls_body_seen] = b;
	d->tls_body_seen++;
	if (d->tls_type == TLS_HANDSHAKE && d->tls_body_seen == 1 &&
	    !t->ccs[dir]) {
		if (b == 1)
			t->client_hello = true;
		else if (b == 2)
			t->server_hello = true;
	}
	if (d->tls_type == TLS_ALERT && d->tls_body_seen == 2) {
		t->alert[dir] = true;
		/* Before ChangeCipherSpec an alert is readable: level and
		 * description (RFC 8446 §6). */
		if (!t->ccs[dir] && !t->alert_clear) {
			t->alert_clear = true;
			t->alert_desc = b;
		}
	}
}

/* Collects the first handshake message of a direction (it may span
 * records, RFC 8446 §5.1) and reads the hello's visible fields. */
static void hello_bytes(struct leg_state *ls, int dir, struct lane_dir *d,
			const uint8_t *p, size_t n)
{
	struct tls_info *t = &ls->pub.tls;
	struct tls_hello h;

	if (!d->hello) {
		d->hello = malloc(TLS_HELLO_MAX);
		if (!d->hello) {
			d->hello_done = true;
			return;
		}
	}
	if (n > TLS_HELLO_MAX - d->hello_len) {
		leg_note(&ls->pub, NOTE_INFO, "tls_hello_large",
			 "%s: the first TLS handshake message is longer than %d "
			 "bytes; its fields were not read",
			 dir_name((enum dir)dir), TLS_HELLO_MAX);
		d->hello_done = true;
		return;
	}
	memcpy(d->hello + d->hello_len, p, n);
	d->hello_len += n;
	switch (tls_hello_parse(d->hello, d->hello_len, &h)) {
	case TLS_HELLO_SHORT:
		return;
	case TLS_HELLO_OK:
		if (h.type == 1) {
			snprintf(t->sni, sizeof t->sni, "%s", h.sni);
			if (!t->version_negotiated)
				t->version = h.version;
			if (!t->alpn[0])
				snprintf(t->alpn, sizeof t->alpn, "%.*s", (int)sizeof t->alpn - 1, h.alpn);
		} else {
			t->version = h.version;
			t->version_negotiated = true;
			/* the server's choice replaces the client's offer */
			snprintf(t->alpn, sizeof t->alpn, "%.*s", (int)sizeof t->alpn - 1, h.alpn);
		}
		break;
	case TLS_HELLO_INVALID:
		leg_note(&ls->pub, NOTE_WARN, "tls_hello_invalid",
			 "%s: the TLS hello's lengths are inconsistent (RFC 8446 "
			 "§4.1.2), packet %llu", dir_name((enum dir)dir),
			 (unsigned long long)ls->pm->num);
		break;
	case TLS_HELLO_OTHER:
		break;
	}
	d->hello_done = true;
	free(d->hello);
	d->hello = NULL;
	d->hello_len = 0;
}

void leg_tls_feed(struct leg_state *ls, int dir, const uint8_t *p, size_t n)
{
	struct lane_dir *d = &ls->d[dir];

	while (n > 0 && d->lane == LANE_TLS) {
		if (d->tls_left == 0 && d->tls_hdr_len < 5) {
			d->tls_hdr[d->tls_hdr_len++] = *p++;
			n--;
			if (d->tls_hdr_len == 5) {
				record_start(ls, dir, d);
				d->tls_hdr_len = 0;
				if (d->tls_left == 0)
					continue;
			}
			continue;
		}
		size_t take = n < d->tls_left ? n : d->tls_left;
		for (size_t i = 0; i < take && d->tls_body_seen < 2; i++)
			record_body_byte(ls, dir, d, p[i]);
		if (d->tls_type == TLS_HANDSHAKE && !d->hello_done &&
		    !ls->pub.tls.ccs[dir])
			hello_bytes(ls, dir, d, p, take);
		d->tls_left -= (uint32_t)take;
		p += take;
		n -= take;
	}
	if (n && d->lane == LANE_OPAQUE)
		d->opaque_bytes += n;
}
