/* leg_tls.c - the TLS layer of a leg: TLS inside a CONNECT tunnel (or from
 * a leg's first byte) is followed record by record (dissectors/
 * tls_decrypt.c, RFC 8446 §5.1, RFC 5246 §6.2): hellos, ChangeCipherSpec,
 * alerts, the server's certificate.  When the key log holds the session's
 * secrets, each direction's decrypted application data becomes a new
 * byte stream fed to the same lanes as a cleartext tunnel (the Upgrade,
 * then WebSocket frames): TLS is a layer between TCP and HTTP. */
#include "leg.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keylog.h"
#include "tls_cert.h"
#include "tls_decrypt.h"
#include "tls_hello.h"

struct leg_tls {
	struct leg_state *ls;
	struct tls_dec *dec;
	struct tls_dec_cb cb;     /* borrowed by dec: lives here */
	bool linked;              /* the client random went to linking */
	bool nested_noted;
	bool finished;
};

bool tls_looks_like_record(const uint8_t *p, size_t n)
{
	/* A handshake record (22), protocol major version 3. */
	if (n < 1 || p[0] != TLS_CT_HANDSHAKE)
		return false;
	if (n >= 2 && p[1] != 3)
		return false;
	if (n >= 3 && p[2] > 4)
		return false;
	return true;
}

static unsigned long long pkt_num(const struct leg_state *ls)
{
	return ls->pm ? (unsigned long long)ls->pm->num : 0;
}

/* ---- events from the record layer ------------------------------------ */

static void on_record(void *ctx, int dir, uint8_t type, uint16_t ver,
		      uint32_t len)
{
	struct leg_tls *lt = ctx;
	struct tls_info *t = &lt->ls->pub.tls;

	(void)len;
	if (!t->version)
		t->version = ver; /* until a hello says better */
	if (type == TLS_CT_CCS)
		t->ccs[dir] = true;
	if (type == TLS_CT_APP)
		t->app_data[dir] = true;
	if (type == TLS_CT_ALERT)
		t->alert[dir] = true;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = x[p[i] >> 4];
		out[2 * i + 1] = x[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void hello(struct leg_tls *lt, int dir, const uint8_t *msg, size_t len)
{
	struct leg_state *ls = lt->ls;
	struct tls_info *t = &ls->pub.tls;
	struct tls_hello h;

	switch (tls_hello_parse(msg, len, &h)) {
	case TLS_HELLO_OK:
		break;
	case TLS_HELLO_INVALID:
		leg_note(&ls->pub, NOTE_WARN, "tls_hello_invalid",
			 "%s: the TLS hello's lengths are inconsistent (RFC 8446 "
			 "§4.1.2), packet %llu", dir_name((enum dir)dir),
			 pkt_num(ls));
		return;
	default:
		return;
	}
	if (h.type == 1 && dir == DIR_CLIENT) {
		t->client_hello = true;
		if (!t->sni[0])
			text_copy(t->sni, sizeof t->sni, h.sni);
		if (!t->version_negotiated)
			t->version = h.version;
		if (!t->alpn[0])
			snprintf(t->alpn, sizeof t->alpn, "%.*s",
				 (int)sizeof t->alpn - 1, h.alpn);
		if (!lt->linked) {
			/* A CONNECT tunnel relays the random unchanged, so
			 * it ties the client's leg to the proxy's onward leg
			 * (and names the key log line to look for). */
			lt->linked = true;
			hex(h.random, 32, t->client_random);
			leg_link_tls_random(ls, h.random);
		}
	} else if (h.type == 2 && dir == DIR_SERVER) {
		t->server_hello = true;
		t->version = h.version;
		t->version_negotiated = true;
		if (h.hrr) {
			t->hrr = true;
			return;
		}
		t->cipher = h.cipher;
		/* the server's choice replaces the client's offer */
		snprintf(t->alpn, sizeof t->alpn, "%.*s", (int)sizeof t->alpn - 1,
			 h.alpn);
	}
}

static void certificate(struct leg_tls *lt, const uint8_t *msg, size_t len)
{
	struct leg_state *ls = lt->ls;
	struct tls_info *t = &ls->pub.tls;
	struct tls_cert_info ci;

	if (t->cert_seen)
		return;
	switch (tls_cert_parse(msg, len, t->version == 0x0304, &ci)) {
	case TLS_CERT_OK:
		t->cert_seen = true;
		text_copy(t->cert.subject, sizeof t->cert.subject, ci.subject);
		text_copy(t->cert.issuer, sizeof t->cert.issuer, ci.issuer);
		text_copy(t->cert.san, sizeof t->cert.san, ci.san);
		text_copy(t->cert.not_before, sizeof t->cert.not_before,
			  ci.not_before);
		text_copy(t->cert.not_after, sizeof t->cert.not_after,
			  ci.not_after);
		t->cert.chain = ci.chain;
		break;
	case TLS_CERT_INVALID:
		leg_note(&ls->pub, NOTE_WARN, "tls_cert_invalid",
			 "server: the TLS Certificate message's lengths are "
			 "inconsistent (RFC 8446 §4.4.2), packet %llu",
			 pkt_num(ls));
		break;
	case TLS_CERT_UNREADABLE:
		leg_note(&ls->pub, NOTE_WARN, "tls_cert_unreadable",
			 "server: the leaf certificate is not DER X.509 that "
			 "libcrypto can read, packet %llu", pkt_num(ls));
		break;
	case TLS_CERT_EMPTY:
		break;
	}
}

static void on_handshake(void *ctx, int dir, const uint8_t *msg, size_t len,
			 bool decrypted)
{
	struct leg_tls *lt = ctx;

	if ((msg[0] == 1 || msg[0] == 2) && !decrypted)
		hello(lt, dir, msg, len);
	else if (msg[0] == 11 && dir == DIR_SERVER)
		certificate(lt, msg, len);
}

static void on_alert(void *ctx, int dir, uint8_t level, uint8_t desc,
		     bool decrypted)
{
	struct leg_tls *lt = ctx;
	struct tls_info *t = &lt->ls->pub.tls;

	t->alert[dir] = true;
	/* A readable alert ends a handshake that failed: in the clear, or
	 * decrypted and fatal before any application data (RFC 8446 §6). */
	if (t->alert_clear)
		return;
	if (!decrypted || (level == 2 && !t->decrypted)) {
		t->alert_clear = true;
		t->alert_desc = desc;
		t->alert_level = level;
		t->alert_by = (enum dir)dir;
	}
}

static void on_app_data(void *ctx, int dir, const uint8_t *p, size_t n)
{
	struct leg_tls *lt = ctx;
	struct leg_state *ls = lt->ls;

	if (!ls->d[dir].tls_layer) {
		ls->pub.tls.decrypted = true;
		leg_plain_start(ls, dir);
	}
	leg_lane_feed(ls, dir, p, n);
}

static void on_note(void *ctx, int dir, int level, const char *code,
		    const char *text)
{
	struct leg_tls *lt = ctx;

	(void)dir;
	leg_note(&lt->ls->pub, level == 2 ? NOTE_ERROR :
			       level == 1 ? NOTE_WARN : NOTE_INFO,
		 code, "%s (packet %llu)", text, pkt_num(lt->ls));
}

/* ---- the layer ------------------------------------------------------- */

static struct leg_tls *layer(struct leg_state *ls)
{
	if (ls->tls)
		return ls->tls->dec ? ls->tls : NULL;
	struct leg_tls *lt = calloc(1, sizeof *lt);
	if (!lt)
		return NULL;
	lt->ls = ls;
	lt->cb = (struct tls_dec_cb){
		.ctx = lt,
		.record = on_record,
		.handshake = on_handshake,
		.alert = on_alert,
		.app_data = on_app_data,
		.note = on_note,
	};
	lt->dec = tls_dec_new(analyzer_cfg(ls->an)->keylog, &lt->cb);
	ls->tls = lt;
	return lt->dec ? lt : NULL;
}

void leg_tls_feed(struct leg_state *ls, int dir, const uint8_t *p, size_t n)
{
	struct lane_dir *d = &ls->d[dir];

	if (d->tls_layer) {
		/* TLS inside decrypted TLS (a client speaking TLS to an HTTPS
		 * proxy, then wss through its tunnel): one layer is enough
		 * for now; the inner one is counted. */
		if (ls->tls && !ls->tls->nested_noted)
			leg_note(&ls->pub, NOTE_INFO, "tls_nested",
				 "TLS inside the decrypted TLS (packet %llu) is "
				 "not decrypted", pkt_num(ls));
		if (ls->tls)
			ls->tls->nested_noted = true;
		d->lane = LANE_OPAQUE;
		d->opaque_bytes += n;
		return;
	}
	struct leg_tls *lt = layer(ls);
	if (!lt) {
		d->lane = LANE_OPAQUE;
		d->opaque_bytes += n;
		return;
	}
	tls_dec_feed(lt->dec, dir, p, n);
	if (tls_dec_info(lt->dec)->dead[dir] && !d->tls_layer)
		d->lane = LANE_OPAQUE;
}

void leg_tls_raw(struct leg_state *ls, int dir, const uint8_t *p, size_t n)
{
	if (ls->tls && ls->tls->dec)
		tls_dec_feed(ls->tls->dec, dir, p, n);
}

void leg_tls_gap(struct leg_state *ls, int dir)
{
	if (ls->tls && ls->tls->dec)
		tls_dec_gap(ls->tls->dec, dir);
}

void leg_tls_finish(struct leg_state *ls)
{
	struct leg_tls *lt = ls->tls;
	struct tls_info *t = &ls->pub.tls;
	struct sess_stats *st = analyzer_stats_rw(ls->an);

	if (!lt || !lt->dec || lt->finished)
		return;
	lt->finished = true;
	const struct tls_dec_info *in = tls_dec_info(lt->dec);
	t->keylog = in->keylog_given;
	t->keys_found = in->keys_found;
	t->decrypt_failed = in->failed[0] || in->failed[1];
	for (int i = 0; i < 2; i++) {
		t->records_decrypted[i] = in->decrypted[i];
		t->key_updates[i] = in->key_updates[i];
		st->tls_records_decrypted += in->decrypted[i];
	}
	if (t->decrypted)
		st->tls_decrypted_legs++;
	if (in->keylog_given && in->server_hello && !in->keys_found)
		st->tls_keys_missing++;
	if (t->decrypt_failed)
		st->tls_decrypt_failures++;
	st->tls_handshake_cap_hits += in->hs_cap_hits;
	/* The connection ended: its buffers and keys go now. */
	tls_dec_free(lt->dec);
	lt->dec = NULL;
}

void leg_tls_free(struct leg_state *ls)
{
	if (!ls->tls)
		return;
	tls_dec_free(ls->tls->dec);
	free(ls->tls);
	ls->tls = NULL;
}
