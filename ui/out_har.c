/* out_har.c - HAR 1.2 (-T har; http://www.softwareishard.com/blog/har-12-spec/)
 * with Chromium DevTools' WebSocket extension.
 *
 * One entry per HTTP exchange (request head and the response that
 * answers it, CONNECT included).  An exchange whose request asked for
 * `Upgrade: websocket` is written as DevTools writes a WebSocket: the
 * entry has `_resourceType: "websocket"` and `_webSocketMessages`, a list
 * of {type: "send"|"receive", time: epoch seconds, opcode: number, data}.
 * DevTools takes `data` from the protocol's WebSocketFrame.payloadData:
 * the text itself for opcode 1, base64 of the payload for any other
 * opcode; it lists data messages only (text and binary), never ping, pong
 * or close, and neither do we (those are counted in the entry's comment).
 * Payloads are the message after permessage-deflate, as DevTools shows.
 *
 * A HAR file is one JSON document, so nothing can be written before the
 * end.  While a leg is open we keep copies of its heads and its messages
 * already rendered as JSON, each with a cap; when the leg ends its
 * entries are rendered into one arena (capped too) and the leg's state
 * is freed.  At the end the entries are written sorted by start time.
 * Every cap hit is counted and said in the entry's or the log's comment.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "legmap.h"
#include "escape.h"
#include "outputs.h"

#ifdef HAVE_CONFIG_H
#include "config.h" /* PACKAGE_VERSION */
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

#define HAR_MAX_EXCHANGES 1024          /* exchanges kept per leg */
#define HAR_HEADS_MAX (1u << 20)        /* head bytes kept per leg */
#define HAR_MSGS_MAX (16u << 20)        /* message JSON kept per leg */
#define HAR_ARENA_MAX (512u << 20)      /* all rendered entries */
#define HAR_MAX_FIELDS 256              /* header fields read per head */

/* A growable text buffer with a hard maximum; `full` when a write did
 * not fit (the caller rolls back). */
struct gbuf {
	char *p;
	size_t len, cap, max;
	bool full;
};

static void gbuf_write(void *ctx, const char *p, size_t n)
{
	struct gbuf *g = ctx;

	if (g->full || n > g->max - g->len) {
		g->full = true;
		return;
	}
	if (g->len + n > g->cap) {
		size_t nc = g->cap ? g->cap : 4096;
		while (nc < g->len + n)
			nc = nc > g->max / 2 ? g->max : nc * 2;
		char *np = realloc(g->p, nc);
		if (!np) {
			g->full = true;
			return;
		}
		g->p = np;
		g->cap = nc;
	}
	memcpy(g->p + g->len, p, n);
	g->len += n;
}

struct head_copy {
	uint8_t *raw;            /* owned copy; NULL when not seen */
	size_t len;
	bool truncated;
	double ts;
	int status;
	bool in_tls;             /* read from decrypted TLS (wss, https) */
};

struct exch {
	struct head_copy req, resp;
	uint32_t interim;        /* 1xx answers before the final one */
};

struct hleg {
	struct legmap_node node; /* first: the id and hash chain (legmap.h) */
	struct exch *ex;
	size_t n_ex, cap_ex;
	size_t n_answered;       /* requests answered: the next waits at [n] */
	size_t head_bytes;
	uint64_t dropped_exchanges, orphan_responses;
	bool capped;             /* a request was left out: leave out the
	                            rest, or responses would pair wrongly */
	struct gbuf msgs;        /* ",{...}" items of _webSocketMessages */
	uint64_t n_msgs, dropped_msgs, truncated_msgs;
	uint64_t control[2][3];  /* [dir][ping, pong, close] not listed */
};

struct entry_ref {
	double start;
	uint64_t leg;
	size_t seq;              /* exchange index, keeps a leg's order */
	size_t off, len;         /* in the arena */
};

struct har {
	struct obuf *o;
	struct output_opts opt;
	struct legmap by_id;     /* struct hleg by leg id */
	struct gbuf arena;
	struct obuf ao;          /* renders into the arena */
	struct obuf mo;          /* renders into one leg's msgs */
	struct entry_ref *refs;
	size_t n_refs, cap_refs;
	uint64_t legs, dropped_entries, dropped_exchanges, dropped_msgs;
	uint64_t truncated_msgs, orphan_responses, headless_msgs;
};

/* ---- one head, read as header fields --------------------------------- */

struct field {
	const uint8_t *name;
	size_t nlen;
	const uint8_t *val;      /* points into the head, or into `fold` */
	size_t vlen;
	bool folded;             /* val was moved into `fold` */
};

struct parsed {
	const uint8_t *line;     /* start line, CR/LF excluded */
	size_t line_len;
	struct field f[HAR_MAX_FIELDS];
	size_t n;
	size_t dropped;          /* fields beyond HAR_MAX_FIELDS */
	uint8_t *fold;           /* scratch for obs-fold values (owned) */
};

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Splits a raw head (captured, untrusted) into its start line and fields.
 * Lines end at LF with an optional CR (RFC 9112 §2.2 lets a recipient
 * accept a bare LF).  A line starting with SP/HT continues the previous
 * field (obs-fold): RFC 9112 §5.2 says to replace it with SP, so such
 * values are joined in `fold`.  Lines without a colon are skipped. */
static void parse_head(const uint8_t *raw, size_t n, struct parsed *ph)
{
	size_t i = 0, fo = 0;

	memset(ph, 0, offsetof(struct parsed, fold));
	ph->fold = n ? malloc(n) : NULL;
	while (i < n) {
		size_t e = i;
		while (e < n && raw[e] != '\n')
			e++;
		size_t len = e - i;
		if (len && raw[i + len - 1] == '\r')
			len--;
		const uint8_t *line = raw + i;
		i = e < n ? e + 1 : e;
		if (!ph->line) {
			ph->line = line;
			ph->line_len = len;
			continue;
		}
		if (len == 0)
			break;   /* the empty line ending the head */
		if (is_ws(line[0])) {
			if (!ph->n || !ph->fold)
				continue;
			struct field *f = &ph->f[ph->n - 1];
			size_t a = 0;
			while (a < len && is_ws(line[a]))
				a++;
			while (len > a && is_ws(line[len - 1]))
				len--;
			/* move the value into `fold` once, then append;
			 * the joined values never outgrow the head */
			if (!f->folded) {
				memcpy(ph->fold + fo, f->val, f->vlen);
				f->val = ph->fold + fo;
				fo += f->vlen;
				f->folded = true;
			}
			ph->fold[fo++] = ' ';
			memcpy(ph->fold + fo, line + a, len - a);
			fo += len - a;
			f->vlen = (size_t)(ph->fold + fo - f->val);
			continue;
		}
		const uint8_t *colon = memchr(line, ':', len);
		if (!colon)
			continue;
		if (ph->n == HAR_MAX_FIELDS) {
			ph->dropped++;
			continue;
		}
		struct field *f = &ph->f[ph->n++];
		f->name = line;
		f->nlen = (size_t)(colon - line);
		while (f->nlen && is_ws(line[f->nlen - 1]))
			f->nlen--;   /* tolerated, reported by the analyzer */
		size_t v = (size_t)(colon - line) + 1;
		while (v < len && is_ws(line[v]))
			v++;
		size_t ve = len;
		while (ve > v && is_ws(line[ve - 1]))
			ve--;
		f->val = line + v;
		f->vlen = ve - v;
	}
}

static bool ieq(const uint8_t *p, size_t n, const char *s)
{
	size_t sl = strlen(s);

	if (n != sl)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t a = p[i], b = (uint8_t)s[i];
		if (a >= 'A' && a <= 'Z')
			a = (uint8_t)(a + 32);
		if (a != b)
			return false;
	}
	return true;
}

static const struct field *field(const struct parsed *ph, const char *name)
{
	for (size_t i = 0; i < ph->n; i++)
		if (ieq(ph->f[i].name, ph->f[i].nlen, name))
			return &ph->f[i];
	return NULL;
}

/* A comma-separated value holds `token` (case-insensitive). */
static bool has_token(const struct field *f, const char *token)
{
	size_t i = 0;

	if (!f)
		return false;
	while (i < f->vlen) {
		while (i < f->vlen && (is_ws(f->val[i]) || f->val[i] == ','))
			i++;
		size_t s = i;
		while (i < f->vlen && f->val[i] != ',')
			i++;
		size_t e = i;
		while (e > s && is_ws(f->val[e - 1]))
			e--;
		if (ieq(f->val + s, e - s, token))
			return true;
	}
	return false;
}

/* Splits a start line into its three parts (the third may hold spaces). */
static void split3(const uint8_t *p, size_t n, const uint8_t *part[3],
		   size_t plen[3])
{
	size_t i = 0;

	for (int k = 0; k < 3; k++) {
		if (k < 2) {
			size_t s = i;
			while (i < n && p[i] != ' ')
				i++;
			part[k] = p + s;
			plen[k] = i - s;
			if (i < n)
				i++;
		} else {
			part[k] = p + i;
			plen[k] = n - i;
		}
	}
}

/* Content-Length as a number, or -1 when absent or not digits only. */
static long long content_length(const struct parsed *ph)
{
	const struct field *f = field(ph, "content-length");
	long long v = 0;

	if (!f || f->vlen == 0 || f->vlen > 15)
		return -1;
	for (size_t i = 0; i < f->vlen; i++) {
		if (f->val[i] < '0' || f->val[i] > '9')
			return -1;
		v = v * 10 + (f->val[i] - '0');
	}
	return v;
}

/* ---- writing ---------------------------------------------------------- */

static void iso_time(struct obuf *o, double t)
{
	time_t sec = (time_t)t;
	double frac = t - (double)sec;
	int ms = (int)(frac * 1000.0);
	struct tm tm;
	char buf[40];

	if (ms > 999)
		ms = 999;
	if (ms < 0)
		ms = 0;
	if (!gmtime_r(&sec, &tm))
		memset(&tm, 0, sizeof tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	obuf_printf(o, "\"%s.%03dZ\"", buf, ms);
}

static void ms(struct obuf *o, double v)
{
	if (v < 0)
		obuf_puts(o, "-1");
	else
		obuf_printf(o, "%.3f", v);
}

static void name_values(struct obuf *o, const struct parsed *ph)
{
	obuf_putc(o, '[');
	for (size_t i = 0; i < ph->n; i++) {
		if (i)
			obuf_putc(o, ',');
		obuf_puts(o, "{\"name\":");
		json_strn(o, ph->f[i].name, ph->f[i].nlen);
		obuf_puts(o, ",\"value\":");
		json_strn(o, ph->f[i].val, ph->f[i].vlen);
		obuf_putc(o, '}');
	}
	obuf_putc(o, ']');
}

/* "a=1; b=2" (Cookie) or the first pair of each Set-Cookie. */
static void cookies(struct obuf *o, const struct parsed *ph, bool response)
{
	bool first = true;

	obuf_putc(o, '[');
	for (size_t i = 0; i < ph->n; i++) {
		const struct field *f = &ph->f[i];
		if (!ieq(f->name, f->nlen, response ? "set-cookie" : "cookie"))
			continue;
		size_t p = 0;
		while (p < f->vlen) {
			while (p < f->vlen && (is_ws(f->val[p]) || f->val[p] == ';'))
				p++;
			size_t s = p;
			while (p < f->vlen && f->val[p] != ';')
				p++;
			const uint8_t *eq = memchr(f->val + s, '=', p - s);
			if (eq) {
				size_t nl = (size_t)(eq - (f->val + s));
				size_t ve = p;
				while (ve > s && is_ws(f->val[ve - 1]))
					ve--;
				if (!first)
					obuf_putc(o, ',');
				first = false;
				obuf_puts(o, "{\"name\":");
				json_strn(o, f->val + s, nl);
				obuf_puts(o, ",\"value\":");
				json_strn(o, eq + 1, ve - (size_t)(eq + 1 - f->val));
				obuf_putc(o, '}');
			}
			if (response)
				break;  /* attributes follow the first pair */
		}
	}
	obuf_putc(o, ']');
}

/* name=value pairs after '?' in a request-target, as sent (not decoded). */
static void query_string(struct obuf *o, const uint8_t *t, size_t n)
{
	const uint8_t *q = memchr(t, '?', n);
	bool first = true;

	obuf_putc(o, '[');
	if (q) {
		size_t p = (size_t)(q - t) + 1;
		while (p < n) {
			size_t s = p;
			while (p < n && t[p] != '&')
				p++;
			if (p > s) {
				const uint8_t *eq = memchr(t + s, '=', p - s);
				size_t nl = eq ? (size_t)(eq - (t + s)) : p - s;
				if (!first)
					obuf_putc(o, ',');
				first = false;
				obuf_puts(o, "{\"name\":");
				json_strn(o, t + s, nl);
				obuf_puts(o, ",\"value\":");
				if (eq)
					json_strn(o, eq + 1, p - (size_t)(eq + 1 - t));
				else
					obuf_puts(o, "\"\"");
				obuf_putc(o, '}');
			}
			p++;
		}
	}
	obuf_putc(o, ']');
}

/* The request's absolute URL, from its target form (RFC 9112 §3.2):
 * authority-form (CONNECT) gets http:// or https:// by what the tunnel
 * carried; absolute-form is kept (ws:// and wss:// for WebSocket, as
 * DevTools names them); origin-form gets the Host header (else the
 * server's address) with the scheme the connection really had: wss://
 * (https://) when the head came out of decrypted TLS (`in_tls`), as
 * DevTools writes a secure WebSocket's URL, else ws:// (http://). */
static void request_url(struct obuf *o, const struct leg *l, bool connect,
			bool websocket, bool in_tls, const uint8_t *t,
			size_t n, const struct parsed *ph)
{
	obuf_putc(o, '"');
	if (connect) {
		obuf_puts(o, l->tls.seen ? "https://" : "http://");
		esc_json(o, t, n);
	} else if (n >= 7 && ieq(t, 7, "http://")) {
		obuf_puts(o, websocket ? "ws://" : "http://");
		esc_json(o, t + 7, n - 7);
	} else if (n >= 8 && ieq(t, 8, "https://")) {
		obuf_puts(o, websocket ? "wss://" : "https://");
		esc_json(o, t + 8, n - 8);
	} else if (n && t[0] != '/' && t[0] != '*') {
		esc_json(o, t, n); /* some other scheme: as sent */
	} else {
		const struct field *h = field(ph, "host");
		if (websocket)
			obuf_puts(o, in_tls ? "wss://" : "ws://");
		else
			obuf_puts(o, in_tls ? "https://" : "http://");
		if (h && h->vlen)
			esc_json(o, h->val, h->vlen);
		else
			esc_json(o, (const uint8_t *)l->server.text,
				 strlen(l->server.text));
		if (n && t[0] == '/')
			esc_json(o, t, n);
		else
			obuf_putc(o, '/');
	}
	obuf_putc(o, '"');
}

static void server_ip(struct obuf *o, const struct leg *l)
{
	const char *t = l->server.text;
	const char *c = strrchr(t, ':');
	size_t n = c ? (size_t)(c - t) : strlen(t);

	/* IPv6 without brackets, as DevTools writes it */
	if (n >= 2 && t[0] == '[' && t[n - 1] == ']') {
		t++;
		n -= 2;
	}
	json_strn(o, (const uint8_t *)t, n);
}

static void leg_comment(struct obuf *o, const struct leg *l)
{
	obuf_puts(o, "wstap leg ");
	obuf_u64(o, l->id);
	obuf_puts(o, " (");
	esc_json(o, (const uint8_t *)l->client.text, strlen(l->client.text));
	obuf_puts(o, " > ");
	esc_json(o, (const uint8_t *)l->server.text, strlen(l->server.text));
	obuf_puts(o, " via ");
	obuf_puts(o, via_name(l->via));
	if (l->linked) {
		obuf_puts(o, ", linked to leg ");
		obuf_u64(o, l->linked);
	}
	obuf_puts(o, "): ");
	obuf_puts(o, verdict_code(l->verdict));
	obuf_puts(o, ": ");
	esc_json(o, (const uint8_t *)l->explanation, strlen(l->explanation));
}

/* " N what." when N is not zero: one more sentence of a comment. */
static void count_say(struct obuf *o, uint64_t n, const char *what)
{
	if (!n)
		return;
	obuf_putc(o, ' ');
	obuf_u64(o, n);
	obuf_putc(o, ' ');
	obuf_puts(o, what);
	obuf_putc(o, '.');
}

/* One entry into the arena.  `ws` marks the exchange carrying the
 * leg's WebSocket messages. */
static void render_entry(struct har *h, const struct leg *l,
			 const struct hleg *hl, size_t idx, bool ws)
{
	const struct exch *x = &hl->ex[idx];
	struct obuf *o = &h->ao;
	struct parsed rq, rs;
	const uint8_t *rp[3], *sp[3];
	size_t rl[3], sl[3];
	size_t start = h->arena.len;

	parse_head(x->req.raw, x->req.len, &rq);
	parse_head(x->resp.raw, x->resp.raw ? x->resp.len : 0, &rs);
	split3(rq.line, rq.line_len, rp, rl);
	if (x->resp.raw)
		split3(rs.line, rs.line_len, sp, sl);
	bool connect = ieq(rp[0], rl[0], "connect");
	bool websocket = has_token(field(&rq, "upgrade"), "websocket");

	/* Timings (ms).  We see when each head's last packet arrived, so
	 * `send` is 0 and `wait` runs from request to response; the first
	 * exchange of a leg whose SYN was seen gets `connect` from the SYN to
	 * the request (it includes the client's own delay). */
	double t_req = x->req.ts, start_ts = t_req;
	double connect_ms = -1, wait = 0;
	if (idx == 0 && l->stages[ST_TCP].seen && !l->midstream &&
	    l->stages[ST_TCP].ts <= t_req) {
		start_ts = l->stages[ST_TCP].ts;
		connect_ms = (t_req - start_ts) * 1000.0;
	}
	if (x->resp.raw && x->resp.ts >= t_req)
		wait = (x->resp.ts - t_req) * 1000.0;
	double total = (connect_ms > 0 ? connect_ms : 0) + wait;

	obuf_puts(o, ",{\"_resourceType\":");
	obuf_puts(o, ws ? "\"websocket\"" : "\"other\"");
	if (ws) {
		obuf_puts(o, ",\"_webSocketMessages\":[");
		if (hl->msgs.len > 1)
			obuf_put(o, hl->msgs.p + 1, hl->msgs.len - 1);
		obuf_putc(o, ']');
	}
	obuf_puts(o, ",\"cache\":{},\"connection\":\"");
	obuf_u64(o, l->id);
	obuf_puts(o, "\",\"request\":{\"method\":");
	json_strn(o, rp[0], rl[0]);
	obuf_puts(o, ",\"url\":");
	request_url(o, l, connect, websocket, x->req.in_tls, rp[1], rl[1], &rq);
	obuf_puts(o, ",\"httpVersion\":");
	json_strn(o, rp[2], rl[2]);
	obuf_puts(o, ",\"cookies\":");
	cookies(o, &rq, false);
	obuf_puts(o, ",\"headers\":");
	name_values(o, &rq);
	obuf_puts(o, ",\"queryString\":");
	query_string(o, rp[1], rl[1]);
	long long rq_cl = content_length(&rq);
	obuf_printf(o, ",\"headersSize\":%lld,\"bodySize\":%lld}",
		    x->req.truncated ? -1 : (long long)x->req.len,
		    rq_cl >= 0 ? rq_cl : 0);

	obuf_puts(o, ",\"response\":");
	if (x->resp.raw) {
		long long cl = content_length(&rs);
		int st = x->resp.status;
		/* No body: 1xx, 204, 304 (RFC 9110 §6.4.1) and 2xx to CONNECT
		 * (§9.3.6). */
		if ((st >= 100 && st < 200) || st == 204 || st == 304 ||
		    (connect && st >= 200 && st < 300))
			cl = 0;
		const struct field *ct = field(&rs, "content-type");
		const struct field *loc = field(&rs, "location");
		obuf_printf(o, "{\"status\":%d,\"statusText\":", st);
		json_strn(o, sp[2], sl[2]);
		obuf_puts(o, ",\"httpVersion\":");
		json_strn(o, sp[0], sl[0]);
		obuf_puts(o, ",\"cookies\":");
		cookies(o, &rs, true);
		obuf_puts(o, ",\"headers\":");
		name_values(o, &rs);
		obuf_printf(o, ",\"content\":{\"size\":%lld,\"mimeType\":",
			    cl > 0 ? cl : 0);
		if (ct && ct->vlen)
			json_strn(o, ct->val, ct->vlen);
		else
			obuf_puts(o, "\"x-unknown\"");
		obuf_puts(o, "},\"redirectURL\":");
		if (loc)
			json_strn(o, loc->val, loc->vlen);
		else
			obuf_puts(o, "\"\"");
		obuf_printf(o, ",\"headersSize\":%lld,\"bodySize\":%lld}",
			    x->resp.truncated ? -1 : (long long)x->resp.len, cl);
	} else {
		obuf_puts(o, "{\"status\":0,\"statusText\":\"\",\"httpVersion\":\"\","
			  "\"cookies\":[],\"headers\":[],\"content\":{\"size\":0,"
			  "\"mimeType\":\"x-unknown\"},\"redirectURL\":\"\","
			  "\"headersSize\":-1,\"bodySize\":-1,"
			  "\"_error\":\"no response in the capture\"}");
	}
	obuf_puts(o, ",\"serverIPAddress\":");
	server_ip(o, l);
	obuf_puts(o, ",\"startedDateTime\":");
	iso_time(o, start_ts);
	obuf_puts(o, ",\"time\":");
	ms(o, total);
	obuf_puts(o, ",\"timings\":{\"blocked\":-1,\"dns\":-1,\"connect\":");
	ms(o, connect_ms);
	obuf_puts(o, ",\"send\":0,\"wait\":");
	ms(o, wait);
	obuf_puts(o, ",\"receive\":0,\"ssl\":-1}");
	obuf_puts(o, ",\"comment\":\"");
	leg_comment(o, l);
	count_say(o, x->interim, "interim 1xx response(s) came before this one");
	count_say(o, rq.dropped + rs.dropped, "header fields beyond the 256 kept");
	if (x->req.truncated || x->resp.truncated)
		obuf_puts(o, " A head was longer than the copy kept: its "
			  "headers are cut.");
	if (ws) {
		static const char *ctl[3] = { "ping", "pong", "close" };
		bool any = false;
		for (int d = 0; d < 2; d++)
			for (int k = 0; k < 3; k++) {
				if (!hl->control[d][k])
					continue;
				obuf_puts(o, any ? ", " : " Control frames, not "
					  "listed (DevTools lists text and binary "
					  "messages only): ");
				any = true;
				obuf_u64(o, hl->control[d][k]);
				obuf_printf(o, " %s from the %s", ctl[k],
					    dir_name((enum dir)d));
			}
		if (any)
			obuf_putc(o, '.');
		if (l->close.seen && l->close.has_code)
			obuf_printf(o, " Closed by the %s with code %u.",
				    dir_name(l->close.by), l->close.code);
		count_say(o, hl->dropped_msgs, "messages left out: the "
			  "16 MiB kept per leg was reached");
		count_say(o, hl->truncated_msgs, "messages cut by "
			  "--max-message/--max-inflate (\\\"_truncated\\\": true)");
	}
	if (idx + 1 == hl->n_ex) {
		count_say(o, hl->dropped_exchanges, "exchanges left out: "
			  "1024 or 1 MiB of heads are kept per leg");
		count_say(o, hl->orphan_responses, "responses whose request "
			  "is not in the capture, left out");
	}
	obuf_puts(o, "\"}");
	obuf_flush(o);
	free(rq.fold);
	free(rs.fold);
	if (h->arena.full) {
		h->arena.len = start;
		h->arena.full = false;
		h->dropped_entries++;
		return;
	}
	if (h->n_refs == h->cap_refs) {
		size_t nc = h->cap_refs ? h->cap_refs * 2 : 256;
		struct entry_ref *n = realloc(h->refs, nc * sizeof *n);
		if (!n) {
			h->arena.len = start;
			h->dropped_entries++;
			return;
		}
		h->refs = n;
		h->cap_refs = nc;
	}
	h->refs[h->n_refs++] = (struct entry_ref){
		.start = start_ts, .leg = l->id, .seq = idx,
		.off = start, .len = h->arena.len - start,
	};
}

/* ---- the sink --------------------------------------------------------- */

static struct hleg *find(struct har *h, uint64_t id, bool create)
{
	struct hleg *hl = (struct hleg *)legmap_get(&h->by_id, id, create,
						    sizeof *hl);

	if (hl)
		hl->msgs.max = HAR_MSGS_MAX;
	return hl;
}

static void free_leg(struct hleg *hl)
{
	for (size_t i = 0; i < hl->n_ex; i++) {
		free(hl->ex[i].req.raw);
		free(hl->ex[i].resp.raw);
	}
	free(hl->ex);
	free(hl->msgs.p);
	free(hl);
}

/* `in_tls`: the leg had TLS when the head was read, so the head came out
 * of decrypted TLS (a CONNECT's own head is read before its tunnel's TLS
 * starts). */
static bool copy_head(struct hleg *hl, struct head_copy *c,
		      const struct http_head *hh, bool in_tls)
{
	if (hh->raw_len > HAR_HEADS_MAX - hl->head_bytes)
		return false;
	c->raw = malloc(hh->raw_len ? hh->raw_len : 1);
	if (!c->raw)
		return false;
	memcpy(c->raw, hh->raw, hh->raw_len);
	c->len = hh->raw_len;
	c->truncated = hh->raw_truncated;
	c->ts = hh->ts;
	c->status = hh->status;
	c->in_tls = in_tls;
	hl->head_bytes += hh->raw_len;
	return true;
}

static void http_head(void *ctx, const struct leg *l, const struct http_head *hh)
{
	struct har *h = ctx;
	struct hleg *hl = find(h, l->id, true);

	if (!hl)
		return;
	if (hh->is_request) {
		if (hl->capped || hl->n_ex == HAR_MAX_EXCHANGES) {
			hl->capped = true;
			hl->dropped_exchanges++;
			return;
		}
		if (hl->n_ex == hl->cap_ex) {
			size_t nc = hl->cap_ex ? hl->cap_ex * 2 : 4;
			struct exch *n = realloc(hl->ex, nc * sizeof *n);
			if (!n) {
				hl->capped = true;
				hl->dropped_exchanges++;
				return;
			}
			hl->ex = n;
			hl->cap_ex = nc;
		}
		struct exch *x = &hl->ex[hl->n_ex];
		memset(x, 0, sizeof *x);
		if (!copy_head(hl, &x->req, hh, l->tls.seen)) {
			hl->capped = true;
			hl->dropped_exchanges++;
			return;
		}
		hl->n_ex++;
		return;
	}
	/* Responses answer requests in order (RFC 9112 §9.3: pipelined
	 * responses come in the order of the requests). */
	if (hl->n_answered >= hl->n_ex) {
		/* its request is not in the capture, or was left out at a cap
		 * (then already counted) */
		if (!hl->capped)
			hl->orphan_responses++;
		return;
	}
	struct exch *x = &hl->ex[hl->n_answered];
	/* 1xx other than 101 are interim; the final answer follows
	 * (RFC 9110 §15.2). */
	if (hh->status >= 100 && hh->status < 200 && hh->status != 101) {
		x->interim++;
		return;
	}
	if (!copy_head(hl, &x->resp, hh, l->tls.seen))
		hl->dropped_exchanges++;
	hl->n_answered++;
}

static void message(void *ctx, const struct leg *l, const struct leg_message *m)
{
	struct har *h = ctx;
	struct hleg *hl = find(h, l->id, true);

	if (!hl)
		return;
	if (m->opcode != 0x1 && m->opcode != 0x2) {
		int k = m->opcode == 0x9 ? 0 : m->opcode == 0xA ? 1 : 2;
		hl->control[m->dir][k]++;
		return;
	}
	size_t start = hl->msgs.len;
	struct obuf *o = &h->mo;
	obuf_init_fn(o, gbuf_write, &hl->msgs);
	obuf_puts(o, ",{\"type\":");
	obuf_puts(o, m->dir == DIR_CLIENT ? "\"send\"" : "\"receive\"");
	obuf_printf(o, ",\"time\":%.6f,\"opcode\":%u,\"data\":", m->ts,
		    m->opcode);
	const uint8_t *d = m->data ? m->data : (const uint8_t *)"";
	if (m->opcode == 0x1)
		json_strn(o, d, m->data ? m->data_len : 0);
	else
		json_base64(o, d, m->data ? m->data_len : 0);
	if (m->truncated)
		obuf_puts(o, ",\"_truncated\":true");
	obuf_putc(o, '}');
	obuf_flush(o);
	if (hl->msgs.full) {
		hl->msgs.len = start;
		hl->msgs.full = false;
		hl->dropped_msgs++;
		return;
	}
	hl->n_msgs++;
	if (m->truncated)
		hl->truncated_msgs++;
}

static void leg_end(void *ctx, const struct leg *l)
{
	struct har *h = ctx;
	struct hleg *hl = find(h, l->id, false);

	if (!hl)
		return;
	h->legs++;
	/* The messages belong to the exchange that opened the WebSocket:
	 * the last Upgrade answered 101, else the last Upgrade asked. */
	size_t ws = SIZE_MAX;
	for (size_t i = 0; i < hl->n_ex; i++) {
		struct parsed ph;
		parse_head(hl->ex[i].req.raw, hl->ex[i].req.len, &ph);
		bool up = has_token(field(&ph, "upgrade"), "websocket");
		free(ph.fold);
		if (!up)
			continue;
		if (ws == SIZE_MAX || hl->ex[ws].resp.status != 101 ||
		    hl->ex[i].resp.status == 101)
			ws = i;
	}
	if (ws == SIZE_MAX && hl->n_msgs)
		h->headless_msgs += hl->n_msgs;
	for (size_t i = 0; i < hl->n_ex; i++)
		render_entry(h, l, hl, i, i == ws);
	h->dropped_exchanges += hl->dropped_exchanges;
	h->dropped_msgs += hl->dropped_msgs;
	h->truncated_msgs += hl->truncated_msgs;
	h->orphan_responses += hl->orphan_responses;

	legmap_remove(&h->by_id, &hl->node);
	free_leg(hl);
}

static int by_start(const void *a, const void *b)
{
	const struct entry_ref *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->leg != y->leg)
		return x->leg < y->leg ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void finish(void *ctx, const struct sess_stats *st)
{
	struct har *h = ctx;
	struct obuf *o = h->o;

	qsort(h->refs, h->n_refs, sizeof *h->refs, by_start);
	obuf_puts(o, "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"wstap\","
		  "\"version\":\"" PACKAGE_VERSION "\"},\"pages\":[],\"entries\":[");
	for (size_t i = 0; i < h->n_refs; i++) {
		/* each entry starts with ',' */
		const char *p = h->arena.p + h->refs[i].off;
		size_t n = h->refs[i].len;
		if (i == 0) {
			p++;
			n--;
		}
		obuf_putc(o, '\n');
		obuf_put(o, p, n);
	}
	obuf_puts(o, "\n],\"comment\":\"wstap: ");
	obuf_u64(o, h->n_refs);
	obuf_puts(o, " entries from ");
	obuf_u64(o, st->legs_reported);
	obuf_puts(o, " legs, ");
	obuf_u64(o, st->packets);
	obuf_puts(o, " packets.");
	count_say(o, h->dropped_entries, "entries left out: the 512 MiB kept "
		  "for the HAR was reached");
	count_say(o, h->dropped_exchanges, "exchanges left out at the per-leg "
		  "caps");
	count_say(o, h->dropped_msgs, "WebSocket messages left out at the "
		  "16 MiB kept per leg");
	count_say(o, h->truncated_msgs, "WebSocket messages cut by "
		  "--max-message/--max-inflate");
	count_say(o, h->orphan_responses, "responses without their request "
		  "left out");
	count_say(o, h->headless_msgs, "WebSocket messages on legs whose "
		  "handshake is not in the capture, left out (see -T jsonl)");
	obuf_puts(o, "\"}}");
	obuf_eol(o);
	/* legs never ended (cannot happen after analyzer_finish) */
	struct hleg *hl;
	while ((hl = (struct hleg *)legmap_pop(&h->by_id)) != NULL)
		free_leg(hl);
	free(h->refs);
	h->refs = NULL;
	h->n_refs = h->cap_refs = 0;
	free(h->arena.p);
	h->arena = (struct gbuf){ .max = HAR_ARENA_MAX };
}

struct sess_sink output_har(struct obuf *o, const struct output_opts *opt,
			    void **state)
{
	struct har *h = calloc(1, sizeof *h);
	struct sess_sink s = { 0 };

	*state = h;
	if (!h)
		return s;
	h->o = o;
	h->opt = *opt;
	h->arena.max = HAR_ARENA_MAX;
	obuf_init_fn(&h->ao, gbuf_write, &h->arena);
	s.ctx = h;
	s.http_head = http_head;
	s.message = message;
	s.leg_end = leg_end;
	s.finish = finish;
	s.want_payload = true;
	return s;
}
