/* browse_leg.c - one leg on screen: the detail document (verdict,
 * timeline, proxy, TLS, handshake checks, notes, HTTP heads), the
 * messages pane and the payload pane; and the help text. */
#include <stdio.h>
#include <string.h>

#include "browse_json.h"
#include "browse_view.h"
#include "obuf.h"
#include "render.h"

#define JSON_VIEW_MAX (256u * 1024)   /* bytes of pretty JSON shown */
#define HEX_VIEW_MAX (64u * 1024)     /* payload bytes shown as hex */

static void line_kv(struct bdoc *d, const char *key, enum battr a,
		    const char *val)
{
	static struct bline l;

	bl_init(&l, d->width, BA_NORMAL);
	bl_puts(&l, BA_HEADER, key);
	bl_pad(&l, 12);
	bl_add(&l, a, val, strlen(val), true);
	bdoc_push(d, &l, -1);
}

/* A captured value after a trusted label, escaped. */
static void line_kv_esc(struct bdoc *d, const char *key, enum battr a,
			const char *val)
{
	static struct bline l;

	bl_init(&l, d->width, BA_NORMAL);
	bl_puts(&l, BA_HEADER, key);
	bl_pad(&l, 12);
	bl_esc(&l, a, (const uint8_t *)val, strlen(val));
	bdoc_push(d, &l, -1);
}

static void blank(struct bdoc *d)
{
	static struct bline l;

	bl_init(&l, d->width, BA_NORMAL);
	bdoc_push(d, &l, -1);
}

static void section(struct bdoc *d, const char *title)
{
	static struct bline l;

	bl_init(&l, d->width, BA_NORMAL);
	bl_puts(&l, BA_HEADER, title);
	bdoc_push(d, &l, -1);
}

struct tl_item {
	double ts;
	uint64_t pkt;
	char what[160];
	enum battr a;
};

static void tl_add(struct tl_item *it, int *n, double ts, uint64_t pkt,
		   enum battr a, const char *what)
{
	if (*n >= 16)
		return;
	it[*n].ts = ts;
	it[*n].pkt = pkt;
	it[*n].a = a;
	snprintf(it[*n].what, sizeof it[*n].what, "%s", what);
	(*n)++;
}

/* SYN, CONNECT, the proxy's answer, the tunnel, Upgrade, 101, the first
 * message, close, end: each with its time and packet number. */
static void timeline(struct bdoc *d, const struct leg *l, const struct bs_leg *bl)
{
	struct tl_item it[16];
	int n = 0;
	char w[160];
	const struct stage_mark *s = l->stages;

	if (s[ST_TCP].seen)
		tl_add(it, &n, s[ST_TCP].ts, s[ST_TCP].pkt, BA_NORMAL,
		       l->midstream ? "first packet (no SYN: picked up midstream)" :
				      "SYN");
	if (s[ST_PROXY_REQUEST].seen)
		tl_add(it, &n, s[ST_PROXY_REQUEST].ts, s[ST_PROXY_REQUEST].pkt,
		       BA_NORMAL, l->via == VIA_CONNECT ? "CONNECT sent" :
		       "request to the proxy");
	if (s[ST_PROXY_ANSWER].seen) {
		snprintf(w, sizeof w, "proxy answered %d", l->proxy_status);
		tl_add(it, &n, s[ST_PROXY_ANSWER].ts, s[ST_PROXY_ANSWER].pkt,
		       l->proxy_status >= 200 && l->proxy_status < 300 ?
		       BA_OK : BA_BAD, w);
	}
	if (s[ST_TUNNEL].seen)
		tl_add(it, &n, s[ST_TUNNEL].ts, s[ST_TUNNEL].pkt, BA_NORMAL,
		       l->tls.seen ? "first byte in the tunnel (TLS)" :
		       "first byte in the tunnel");
	if (s[ST_HANDSHAKE].seen)
		tl_add(it, &n, s[ST_HANDSHAKE].ts, s[ST_HANDSHAKE].pkt,
		       BA_NORMAL, "Upgrade request");
	if (s[ST_OPEN].seen)
		tl_add(it, &n, s[ST_OPEN].ts, s[ST_OPEN].pkt, BA_OK,
		       "101 Switching Protocols");
	else if (l->ws.answered) {
		snprintf(w, sizeof w, "Upgrade answered %d", l->ws.status);
		tl_add(it, &n, l->last_ts, 0, BA_BAD, w);
	}
	if (bl->n_msg) {
		snprintf(w, sizeof w, "first message (%s, %s)",
			 dir_name(bl->msg[0].dir), opcode_name(bl->msg[0].opcode));
		tl_add(it, &n, bl->msg[0].ts, bl->msg[0].pkt, BA_NORMAL, w);
	}
	if (s[ST_CLOSING].seen) {
		if (l->close.seen && l->close.has_code)
			snprintf(w, sizeof w, "close frame %u from the %s",
				 l->close.code, dir_name(l->close.by));
		else
			snprintf(w, sizeof w, "close frame");
		tl_add(it, &n, s[ST_CLOSING].ts, s[ST_CLOSING].pkt, BA_NORMAL, w);
	}
	if (s[ST_CLOSED].seen)
		tl_add(it, &n, s[ST_CLOSED].ts, s[ST_CLOSED].pkt,
		       l->rst[0] || l->rst[1] ? BA_WARN : BA_NORMAL,
		       l->rst[0] || l->rst[1] ? "connection reset (RST)" :
		       "connection closed (FIN)");
	else if (bl->ended)
		tl_add(it, &n, l->last_ts, l->last_pkt, BA_WARN,
		       "capture ended with the connection open");
	/* in time order (stages are nearly ordered already) */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && it[j].ts < it[j - 1].ts; j--) {
			struct tl_item t = it[j];
			it[j] = it[j - 1];
			it[j - 1] = t;
		}
	section(d, "Timeline");
	double t0 = n ? it[0].ts : 0;
	for (int i = 0; i < n; i++) {
		static struct bline ln;
		char tb[32];
		bl_init(&ln, d->width, BA_NORMAL);
		bl_puts(&ln, BA_DIM, "  ");
		bl_puts(&ln, BA_NORMAL, bv_time(it[i].ts, true, tb, sizeof tb));
		char rel[32];
		snprintf(rel, sizeof rel, "+%.3fs", it[i].ts - t0);
		bl_printf(&ln, BA_DIM, " %9s ", rel);
		if (it[i].pkt)
			bl_printf(&ln, BA_DIM, "#%-6llu ", (unsigned long long)it[i].pkt);
		else
			bl_puts(&ln, BA_DIM, "        ");
		bl_puts(&ln, it[i].a, it[i].what);
		bdoc_push(d, &ln, -1);
	}
}

/* Header names worth a colour in the heads. */
static bool interesting(const uint8_t *p, size_t n)
{
	static const char *const names[] = {
		"sec-websocket-", "proxy-authenticate", "proxy-authorization",
		"upgrade", "connection", "x-squid-error", "www-authenticate",
		"location", "via",
	};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t m = strlen(names[k]);
		if (n < m)
			continue;
		size_t i = 0;
		while (i < m && (p[i] | 0x20) == (uint8_t)names[k][i])
			i++;
		if (i == m)
			return true;
	}
	return false;
}

static void heads(struct bdoc *d, const struct bs_leg *bl, const struct leg *l)
{
	char tb[32];

	for (size_t h = 0; h < bl->n_heads; h++) {
		const struct bs_head *k = &bl->heads[h];
		static struct bline ln;
		bl_init(&ln, d->width, BA_NORMAL);
		bl_puts(&ln, BA_HEADER, render_head_label(l, k->dir));
		bl_printf(&ln, BA_DIM, "  %s  #%llu",
			  bv_time(k->ts, true, tb, sizeof tb),
			  (unsigned long long)k->pkt);
		bdoc_push(d, &ln, -1);
		const uint8_t *p = k->raw;
		size_t i = 0, n = k->len;
		while (i < n) {
			size_t e = i;
			while (e < n && p[e] != '\n')
				e++;
			size_t len = e - i;
			if (len && p[i + len - 1] == '\r')
				len--;
			if (len == 0 && e + 1 >= n)
				break;
			bool hi = i > 0 && interesting(p + i, len);
			bdoc_wrap_esc2(d, hi ? BA_HI : i == 0 ? BA_HEADER : BA_NORMAL,
				       2, 6, p + i, len);
			i = e + 1;
		}
		if (k->raw_truncated || k->cut)
			bdoc_wrap(d, BA_WARN, 0, "  [head cut: longer than the "
				  "copy kept]", 37);
		blank(d);
	}
	if (bl->heads_dropped) {
		char w[96];
		int m = snprintf(w, sizeof w, "[%llu more heads not kept by the "
				 "browser]", (unsigned long long)bl->heads_dropped);
		bdoc_wrap(d, BA_WARN, 0, w, (size_t)m);
	}
}

static void websocket(struct bdoc *d, const struct leg *l)
{
	const struct ws_info *w = &l->ws;
	char buf[256];

	section(d, "WebSocket");
	line_kv_esc(d, "  path", BA_NORMAL, w->path);
	line_kv_esc(d, "  key", BA_HI, w->key[0] ? w->key : "(none)");
	if (w->answered && w->status == 101) {
		line_kv_esc(d, "  accept", w->accept_valid ? BA_OK : BA_BAD,
			    w->accept[0] ? w->accept : "(none)");
		if (w->accept_valid)
			line_kv(d, "", BA_OK, "\xe2\x9c\x93 matches base64(SHA-1(key + "
				"258EAFA5-...)) (RFC 6455 \xc2\xa7" "4.2.2)");
		else {
			snprintf(buf, sizeof buf, "\xe2\x9c\x97 expected %s (RFC 6455 "
				 "\xc2\xa7" "4.2.2)", w->expected_accept);
			line_kv(d, "", BA_BAD, buf);
		}
	} else if (w->answered) {
		snprintf(buf, sizeof buf, "answered %d, not 101", w->status);
		line_kv(d, "  answer", BA_BAD, buf);
	} else {
		line_kv(d, "  answer", BA_WARN, "none seen");
	}
	if (w->offered_protocols[0] || w->protocol[0]) {
		line_kv_esc(d, "  offered", BA_NORMAL, w->offered_protocols[0] ?
			    w->offered_protocols : "(no subprotocol)");
		line_kv_esc(d, "  subproto", w->subprotocol_problem ? BA_BAD : BA_HI,
			    w->protocol[0] ? w->protocol : "(none chosen)");
	}
	if (w->offered_extensions[0] || w->extensions[0]) {
		line_kv_esc(d, "  ext offer", BA_NORMAL, w->offered_extensions[0] ?
			    w->offered_extensions : "(none)");
		line_kv_esc(d, "  ext agreed", w->extension_problem ? BA_BAD : BA_HI,
			    w->extensions[0] ? w->extensions : "(none)");
	}
	if (w->deflate)
		line_kv(d, "  deflate", BA_HI, "permessage-deflate in force");
}

void bv_build_detail(struct bview *v)
{
	struct bs_leg *bl = v->leg;
	struct bdoc *d = &v->detail;
	char buf[512];

	if (v->detail_width == v->cols && v->detail_version == bl->version &&
	    d->n)
		return;
	bdoc_reset(d, v->cols);
	v->detail_width = v->cols;
	v->detail_version = bl->version;
	const struct leg *l = bs_full(v->store, bl);
	if (!l) {
		bdoc_wrap(d, BA_BAD, 0, "this leg could not be unpacked", 30);
		return;
	}
	static struct bline ln;
	bl_init(&ln, d->width, BA_NORMAL);
	bl_puts(&ln, BA_HEADER, "Verdict");
	bl_pad(&ln, 12);
	bl_puts(&ln, bv_verdict_attr(bl), bl->ended ? verdict_code(l->verdict) :
		"open (the leg has not ended yet)");
	bdoc_push(d, &ln, -1);
	if (l->explanation[0]) {
		bdoc_wrap_esc2(d, BA_NORMAL, 2, 2, (const uint8_t *)l->explanation,
			       strlen(l->explanation));
	}
	blank(d);
	line_kv_esc(d, "Client", BA_NORMAL, l->client.text);
	bool proxy = l->via == VIA_CONNECT || l->via == VIA_FORWARD;
	line_kv_esc(d, proxy ? "Proxy" : "Server", BA_NORMAL, l->server.text);
	if (l->target[0])
		line_kv_esc(d, "Target", BA_NORMAL, l->target);
	line_kv(d, "Via", BA_NORMAL, via_name(l->via));
	if (bl->linked) {
		struct bs_leg *m = bs_find(v->store, bl->linked);
		snprintf(buf, sizeof buf, "leg %llu%s%s  (l opens it)",
			 (unsigned long long)bl->linked, m ? ", " : "",
			 m ? (m->ended ? verdict_code(m->verdict) : "open") : "");
		line_kv(d, "Linked", BA_HI, buf);
	}
	blank(d);
	timeline(d, l, bl);
	blank(d);
	if (l->proxy_status) {
		section(d, "Proxy");
		snprintf(buf, sizeof buf, "%d ", l->proxy_status);
		bl_init(&ln, d->width, BA_NORMAL);
		bl_puts(&ln, BA_HEADER, "  status");
		bl_pad(&ln, 12);
		bl_puts(&ln, l->proxy_status / 100 == 2 ? BA_OK : BA_BAD, buf);
		bl_esc(&ln, BA_NORMAL, (const uint8_t *)l->proxy_reason,
		       strlen(l->proxy_reason));
		bdoc_push(d, &ln, -1);
		if (l->proxy_auth[0])
			line_kv_esc(d, "  auth", BA_HI, l->proxy_auth);
		if (l->proxy_error_hdr[0])
			line_kv_esc(d, "  error", BA_HI, l->proxy_error_hdr);
		line_kv(d, "  creds", BA_NORMAL, l->proxy_authorization_sent ?
			"Proxy-Authorization sent" : "no Proxy-Authorization sent");
		blank(d);
	}
	if (l->tls.seen) {
		section(d, "TLS");
		snprintf(buf, sizeof buf, "0x%04x%s", l->tls.version,
			 l->tls.version_negotiated ? " (negotiated)" : "");
		line_kv(d, "  version", BA_NORMAL, buf);
		if (l->tls.sni[0])
			line_kv_esc(d, "  SNI", BA_HI, l->tls.sni);
		if (l->tls.alpn[0])
			line_kv_esc(d, "  ALPN", BA_NORMAL, l->tls.alpn);
		if (l->tls.alert[0] || l->tls.alert[1]) {
			if (l->tls.alert_clear)
				snprintf(buf, sizeof buf, "alert %u", l->tls.alert_desc);
			else
				snprintf(buf, sizeof buf, "encrypted alert");
			line_kv(d, "  alert", BA_BAD, buf);
		}
		blank(d);
	}
	if (l->ws.requested) {
		websocket(d, l);
		blank(d);
	}
	section(d, "Messages");
	snprintf(buf, sizeof buf, "  client %llu, server %llu; payload %llu / "
		 "%llu bytes; TCP %llu / %llu bytes in %llu packets",
		 (unsigned long long)bl->msgs[0], (unsigned long long)bl->msgs[1],
		 (unsigned long long)l->payload_bytes[0],
		 (unsigned long long)l->payload_bytes[1],
		 (unsigned long long)l->tcp_bytes[0],
		 (unsigned long long)l->tcp_bytes[1],
		 (unsigned long long)l->packets);
	bdoc_wrap(d, BA_NORMAL, 4, buf, strlen(buf));
	if (l->close.seen) {
		int m = snprintf(buf, sizeof buf, "  close %u by the %s%s",
				 l->close.has_code ? l->close.code : 1005,
				 dir_name(l->close.by), l->close.replied ?
				 ", answered" : ", not answered");
		bdoc_wrap(d, BA_NORMAL, 4, buf, (size_t)m);
	}
	if (bl->n_msg)
		bdoc_wrap(d, BA_DIM, 4, "  Tab opens the messages", 24);
	if (l->gaps || l->midstream) {
		int m = snprintf(buf, sizeof buf, "  capture: %llu gaps (%llu bytes "
				 "missing)%s", (unsigned long long)l->gaps,
				 (unsigned long long)l->gap_bytes,
				 l->midstream ? ", picked up midstream" : "");
		bdoc_wrap(d, BA_WARN, 4, buf, (size_t)m);
	}
	/* the browser's own caps, said where they bit */
	if (bl->payload_cut || bl->budget_hits || bl->messages_dropped) {
		int m = snprintf(buf, sizeof buf, "  browser kept less: %llu payloads "
				 "cut at the per-message cap, %llu without bytes "
				 "(per-leg cap), %llu messages not kept",
				 (unsigned long long)bl->payload_cut,
				 (unsigned long long)bl->budget_hits,
				 (unsigned long long)bl->messages_dropped);
		bdoc_wrap(d, BA_WARN, 4, buf, (size_t)m);
	}
	blank(d);
	if (l->n_notes || l->notes_dropped) {
		section(d, "Notes");
		for (unsigned i = 0; i < l->n_notes; i++) {
			const struct note *nt = &l->notes[i];
			bl_init(&ln, d->width, BA_NORMAL);
			int m = snprintf(buf, sizeof buf, "  %s ", note_level_name(nt->level));
			bl_add(&ln, nt->level == NOTE_ERROR ? BA_BAD :
			       nt->level == NOTE_WARN ? BA_WARN : BA_DIM, buf,
			       (size_t)m, false);
			bl_esc(&ln, BA_HEADER, (const uint8_t *)nt->code,
			       strlen(nt->code));
			bdoc_push(d, &ln, -1);
			bdoc_wrap_esc2(d, BA_NORMAL, 4, 4, (const uint8_t *)nt->text,
				       strlen(nt->text));
		}
		if (l->notes_dropped) {
			int m = snprintf(buf, sizeof buf, "  (%llu more notes not kept)",
					 (unsigned long long)l->notes_dropped);
			bdoc_wrap(d, BA_WARN, 4, buf, (size_t)m);
		}
		blank(d);
	}
	if (bl->n_heads) {
		section(d, "HTTP");
		heads(d, bl, l);
	}
	if (d->left_out) {
		int m = snprintf(buf, sizeof buf, "[%llu more lines not shown]",
				 (unsigned long long)d->left_out);
		bdoc_wrap(d, BA_WARN, 0, buf, (size_t)m);
	}
}

/* ---- messages -------------------------------------------------------- */

void bv_render_messages(struct bview *v, struct bscreen *scr, int top,
			int height)
{
	struct bs_leg *bl = v->leg;
	struct bline *hd = &scr->line[top];
	int rows = height - 1;

	bl_init(hd, v->cols, BA_HEADER);
	/* the same widths as the rows below */
	bl_printf(hd, BA_HEADER, "%6s  %-12s  %-4s %-7s%11s  %-5s  %s", "#",
		  "TIME", "DIR", "OPCODE", "WIRE/SIZE", "FLAGS", "PAYLOAD");
	bl_pad(hd, v->cols);
	if (v->msg_sel >= bl->n_msg)
		v->msg_sel = bl->n_msg ? bl->n_msg - 1 : 0;
	if (v->msg_sel < v->msg_top)
		v->msg_top = v->msg_sel;
	if (rows > 0 && v->msg_sel >= v->msg_top + (size_t)rows)
		v->msg_top = v->msg_sel - (size_t)rows + 1;
	for (int r = 0; r < rows; r++) {
		size_t i = v->msg_top + (size_t)r;
		struct bline *l = &scr->line[top + 1 + r];
		bool sel = i == v->msg_sel && v->pane == PANE_MESSAGES;
		bl_init(l, v->cols, sel ? BA_SEL : i == v->msg_sel ? BA_HI : BA_NORMAL);
		if (i >= bl->n_msg) {
			if (r == 0 && !bl->n_msg)
				bl_puts(l, BA_DIM, "  no WebSocket messages in this leg");
			continue;
		}
		const struct bs_msg *m = &bl->msg[i];
		char tb[32], a[16], b[16], flags[16];
		bl_printf(l, BA_NORMAL, "%6zu  ", i + 1);
		bl_puts(l, BA_NORMAL, bv_time(m->ts, true, tb, sizeof tb));
		bl_puts(l, m->dir == DIR_CLIENT ? BA_NORMAL : BA_DIM,
			m->dir == DIR_CLIENT ? "  \xe2\x86\x92   " : "  \xe2\x86\x90   ");
		bl_printf(l, m->opcode == 0x8 ? BA_WARN : BA_NORMAL, "%-7s",
			  opcode_name(m->opcode));
		bv_size(m->wire_length, a, sizeof a);
		bv_size(m->length, b, sizeof b);
		/* wire/inflated when compressed, else one size */
		char sz[40];
		if (m->compressed)
			snprintf(sz, sizeof sz, "%s/%s", a, b);
		else
			snprintf(sz, sizeof sz, "%s", b);
		bl_printf(l, BA_NORMAL, "%11s  ", sz);
		int f = 0;
		if (m->compressed)
			flags[f++] = 'Z';
		if (m->frames > 1)
			flags[f++] = 'F';
		if (m->truncated)
			flags[f++] = 'T';
		if (m->cut)
			flags[f++] = 'C';
		if (m->opcode == 0x1 && !m->utf8_valid)
			flags[f++] = '!';
		flags[f] = 0;
		bl_printf(l, f ? BA_WARN : BA_NORMAL, "%-5s  ", flags);
		if (m->opcode == 0x8) {
			if (m->has_close_code)
				bl_printf(l, BA_NORMAL, "%u ", m->close_code);
			if (m->reason_len)
				bl_esc(l, BA_NORMAL, m->reason,
				       m->reason_len);
		} else if (m->len) {
			const uint8_t *p = m->data;
			if (m->opcode == 0x2) {
				static const char hx[] = "0123456789abcdef";
				for (size_t k = 0; k < m->len && k < 32; k++) {
					char two[4] = { hx[p[k] >> 4], hx[p[k] & 15], ' ', 0 };
					bl_add(l, BA_DIM, two, 3, false);
				}
			} else {
				bl_esc(l, BA_NORMAL, p, m->len < 512 ? m->len : 512);
			}
		}
		if (sel || i == v->msg_sel)
			bl_pad(l, v->cols);
	}
}

/* ---- payload --------------------------------------------------------- */

static void obuf_to_doc(void *ctx, const char *p, size_t n);

struct doc_sink {
	struct bdoc *d;
};

static void payload_text(struct bdoc *d, const struct bs_msg *m,
			 const uint8_t *p)
{
	bdoc_wrap_esc(d, BA_NORMAL, 0, p, m->len);
}

static void payload_hex(struct bdoc *d, const uint8_t *p, size_t n)
{
	static struct obuf o;
	static struct doc_sink ds;

	ds.d = d;
	obuf_init_fn(&o, obuf_to_doc, &ds);
	render_hexdump(&o, p, n > HEX_VIEW_MAX ? HEX_VIEW_MAX : n, "");
	obuf_flush(&o);
	obuf_to_doc(&ds, NULL, 0);
	if (n > HEX_VIEW_MAX) {
		char w[80];
		int k = snprintf(w, sizeof w, "[hex view stops at %u bytes]",
				 HEX_VIEW_MAX);
		bdoc_wrap(d, BA_WARN, 0, w, (size_t)k);
	}
}

/* Collects output of obuf writers (already safe text) into doc lines;
 * a NULL write flushes the last partial line. */
static void obuf_to_doc(void *ctx, const char *p, size_t n)
{
	struct doc_sink *s = ctx;
	static char line[BL_BYTES];
	static size_t ll;

	if (!p) {
		if (ll)
			bdoc_wrap(s->d, BA_NORMAL, 2, line, ll);
		ll = 0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			bdoc_wrap(s->d, BA_NORMAL, 2, line, ll);
			ll = 0;
		} else if (ll < sizeof line - 1) {
			line[ll++] = p[i];
		}
	}
}

void bv_build_payload(struct bview *v)
{
	struct bs_leg *bl = v->leg;
	struct bdoc *d = &v->payload;

	if (v->payload_msg == v->msg_sel && v->payload_width == v->cols &&
	    v->payload_version == bl->version)
		return;
	if (v->payload_msg != v->msg_sel)
		v->payload_top = 0;
	v->payload_msg = v->msg_sel;
	v->payload_width = v->cols;
	v->payload_version = bl->version;
	bdoc_reset(d, v->cols);
	if (!bl->n_msg)
		return;
	const struct bs_msg *m = &bl->msg[v->msg_sel];
	const uint8_t *p = m->data;
	enum bv_mode mode = v->mode;
	if (mode == MODE_AUTO) {
		if (m->opcode == 0x2)
			mode = MODE_HEX;
		else if (json_is_container(p, m->len))
			mode = MODE_JSON;
		else
			mode = MODE_TEXT;
	}
	v->shown_mode = mode;
	char w[256];
	if (m->opcode == 0x8) {
		int k = snprintf(w, sizeof w, "close code %u%s",
				 m->has_close_code ? m->close_code : 1005,
				 m->has_close_code ? "" : " (none sent)");
		bdoc_wrap(d, BA_HEADER, 0, w, (size_t)k);
		if (m->reason_len) {
			bdoc_wrap(d, BA_HEADER, 0, "reason:", 7);
			bdoc_wrap_esc(d, BA_NORMAL, 0, m->reason,
				      m->reason_len);
		}
		return;
	}
	if (!m->len) {
		bdoc_wrap(d, BA_DIM, 0, m->length ? "(payload not kept)" :
			  "(empty payload)", m->length ? 18 : 15);
	} else if (mode == MODE_HEX) {
		payload_hex(d, p, m->len);
	} else if (mode == MODE_JSON) {
		static struct obuf o;
		static struct doc_sink ds;
		ds.d = d;
		obuf_init_fn(&o, obuf_to_doc, &ds);
		if (!json_pretty(&o, p, m->len, JSON_VIEW_MAX)) {
			bdoc_wrap(d, BA_WARN, 0, "(not JSON; shown as text)", 25);
			v->shown_mode = MODE_TEXT;
			payload_text(d, m, p);
		}
		obuf_flush(&o);
		obuf_to_doc(&ds, NULL, 0);
	} else {
		payload_text(d, m, p);
	}
	if (m->cut || m->truncated || m->len < m->length) {
		int k = snprintf(w, sizeof w, "[%zu of %llu bytes shown: %s]", m->len,
				 (unsigned long long)m->length,
				 m->cut ? "the browser's per-message or per-leg cap" :
				 m->truncated ? "cut by --max-message/--max-inflate" :
				 "payload not kept");
		bdoc_wrap(d, BA_WARN, 0, w, (size_t)k);
	}
	if (m->opcode == 0x1 && !m->utf8_valid) {
		/* the length from the literal: a counted 68 read past it
		 * (AddressSanitizer) */
		static const char bad[] = "[invalid UTF-8: a text message "
			"must be UTF-8, RFC 6455 \xc2\xa7" "8.1]";
		bdoc_wrap(d, BA_BAD, 0, bad, sizeof bad - 1);
	}
}

/* ---- help ------------------------------------------------------------ */

void bv_help_doc(struct bdoc *d)
{
	static const char *const keys[][2] = {
		{ "#", "Session list" },
		{ "j k \xe2\x86\x93 \xe2\x86\x91", "move down / up (also the mouse wheel)" },
		{ "Space b", "page down / up (also PgDn PgUp, ^F ^B)" },
		{ "g G", "first / last (also Home End); live, G follows the "
			 "newest row" },
		{ "Enter", "open the selected leg" },
		{ "f", "failed legs only (with their linked legs), again for all" },
		{ "s", "sort by time, verdict, size" },
		{ "r", "reverse the sort" },
		{ "/", "search payloads and HTTP heads (case-insensitive)" },
		{ "n N", "next / previous match" },
		{ "x", "export the selected leg: .txt transcript, .jsonl" },
		{ "q Esc", "quit (Q quits from anywhere)" },
		{ "", "" },
		{ "#", "One leg" },
		{ "Tab", "next pane: detail, messages, payload (Shift-Tab back)" },
		{ "Enter", "detail \xe2\x86\x92 messages \xe2\x86\x92 payload" },
		{ "j k", "scroll the detail, move in the messages, scroll payload" },
		{ "l", "open the linked leg (the other side of the proxy)" },
		{ "v", "payload view: auto, text, hex, JSON" },
		{ "/ n N", "search this leg's messages" },
		{ "x", "export this leg" },
		{ "q Esc", "back to the detail, then to the list" },
		{ "", "" },
		{ "?", "this help" },
		{ "^L", "redraw" },
		{ "", "" },
		{ "", "Message flags: Z compressed, F several frames, T cut by "
		      "--max-message, C cut by the browser's caps, ! invalid UTF-8" },
		{ "", "Colours follow NO_COLOR (https://no-color.org)." },
	};
	static struct bline l;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		bl_init(&l, d->width, BA_NORMAL);
		if (strcmp(keys[i][0], "#") == 0) {
			bl_puts(&l, BA_HEADER, "  ");
			bl_puts(&l, BA_HEADER, keys[i][1]);
			bdoc_push(d, &l, -1);
			continue;
		}
		if (!keys[i][0][0]) {
			bdoc_wrap(d, BA_DIM, 2, keys[i][1], strlen(keys[i][1]));
			continue;
		}
		bl_puts(&l, BA_NORMAL, "    ");
		bl_puts(&l, BA_HI, keys[i][0]);
		bl_pad(&l, 16);
		bl_add(&l, BA_NORMAL, keys[i][1], strlen(keys[i][1]), true);
		bdoc_push(d, &l, -1);
	}
}
