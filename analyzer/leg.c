/* leg.c - one leg's lanes: proxy HTTP, holding, tunnel recognition and the
 * hand-offs between them (RFC 9110 §9.3.6 CONNECT, RFC 9110 §7.8 Upgrade). */
#include "leg.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

static void lane_feed(struct leg_state *ls, int dir, const uint8_t *p,
		      size_t n);

void leg_mark(struct leg_state *ls, enum stage s)
{
	struct stage_mark *m = &ls->pub.stages[s];

	if (m->seen)
		return;
	m->seen = true;
	m->ts = ls->pm ? ls->pm->ts : 0;
	m->pkt = ls->pm ? ls->pm->num : 0;
}

/* ---- header value collection ---------------------------------------- */

/* `want` is lower case and n bytes long (the length is known where the
 * names are literals: no strlen for each field of each head). */
static bool name_is(const struct hdr_vals *h, const char *want, size_t n)
{
	if (h->name_long || h->name_len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = h->name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != want[i])
			return false;
	}
	return true;
}

/* Appends a piece to a NUL-terminated fixed buffer, cutting at its size. */
static void append_cut(char *dst, size_t size, size_t *len, const uint8_t *p,
		       size_t n)
{
	size_t room = size - 1 - *len;
	if (n > room)
		n = room;
	memcpy(dst + *len, p, n);
	*len += n;
	dst[*len] = '\0';
}

/* Stores a finished field's value; repeated fields join with ", "
 * (RFC 9110 §5.3). */
static void store_value(char *dst, size_t size, const struct hdr_vals *h)
{
	size_t len = strlen(dst);
	if (len && len + 2 < size) {
		dst[len++] = ',';
		dst[len++] = ' ';
		dst[len] = '\0';
	}
	append_cut(dst, size, &len, (const uint8_t *)h->value, h->value_len);
}

static void field_done(struct hdr_vals *h)
{
	static const struct {
		const char *name;
		size_t name_len, off, size;
	} map[] = {
#define F(n, f) { n, sizeof n - 1, offsetof(struct hdr_vals, f), \
		  sizeof(((struct hdr_vals *)0)->f) }
		F("upgrade", upgrade),
		F("connection", connection),
		F("host", host),
		F("sec-websocket-key", key),
		F("sec-websocket-accept", accept),
		F("sec-websocket-version", version),
		F("sec-websocket-protocol", protocol),
		F("sec-websocket-extensions", extensions),
		F("proxy-authenticate", proxy_authenticate),
		F("x-squid-error", squid_error),
		F("via", via),
		F("x-forwarded-for", xff),
		F("forwarded", forwarded),
		F("server", server),
#undef F
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (name_is(h, map[i].name, map[i].name_len)) {
			store_value((char *)h + map[i].off, map[i].size, h);
			if (i == 3)
				h->key_seen = true;
			if (i == 4)
				h->accept_seen = true;
			break;
		}
	}
	if (name_is(h, "proxy-authorization", sizeof "proxy-authorization" - 1)) {
		h->proxy_authorization = true;
		size_t n = 0;
		while (n < h->value_len && n < sizeof h->auth_scheme - 1 &&
		       h->value[n] != ' ' && h->value[n] != '\t')
			n++;
		memcpy(h->auth_scheme, h->value, n);
		h->auth_scheme[n] = '\0';
	}
	h->name_len = 0;
	h->name_long = false;
	h->value_len = 0;
}

/* Empties a header value set: the string starts and the counters only.
 * Clearing all of its 3.7 KB for every head and every new leg was the
 * largest single cost of short connections (perf on make bench).  Every
 * field of struct hdr_vals is listed here. */
static void hv_clear(struct hdr_vals *h)
{
	char *strings[] = {
		h->method, h->target, h->upgrade, h->connection, h->host,
		h->key, h->accept, h->version, h->protocol, h->extensions,
		h->proxy_authenticate, h->squid_error, h->via, h->xff,
		h->forwarded, h->server, h->auth_scheme, h->reason, h->name,
		h->value,
	};
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		strings[i][0] = '\0';
	h->method_len = h->target_len = h->reason_len = 0;
	h->name_len = h->value_len = 0;
	h->key_seen = h->accept_seen = h->proxy_authorization = false;
	h->name_long = false;
}

/* ---- head copies ---------------------------------------------------- */

/* Copies the part of the current chunk that belongs to the head, up to
 * stream offset `upto`. */
static void head_copy(struct lane_dir *d, uint64_t upto)
{
	uint64_t from = d->head_copied > d->chunk_off ? d->head_copied :
							d->chunk_off;
	uint64_t chunk_end = d->chunk_off + d->chunk_len;
	if (upto > chunk_end)
		upto = chunk_end;
	if (from >= upto)
		return;
	size_t n = (size_t)(upto - from);
	const uint8_t *src = d->chunk + (from - d->chunk_off);
	if (!d->head_buf)
		d->head_buf = recycle_get(&analyzer_pools(d->owner->an)->heads);
	size_t room = d->head_buf ? HEAD_COPY_MAX - d->head_len : 0;
	if (n > room) {
		d->head_trunc = true;
		n = room;
	}
	if (n)
		memcpy(d->head_buf + d->head_len, src, n);
	d->head_len += n;
	d->head_copied = upto;
}

static void emit_head(struct leg_state *ls, int dir, bool is_request,
		      int status)
{
	struct lane_dir *d = &ls->d[dir];
	const struct sess_sink *sink = analyzer_sink(ls->an);
	struct sess_stats *st = analyzer_stats_rw(ls->an);
	struct http_head h = {
		.dir = (enum dir)dir,
		.is_request = is_request,
		.ts = ls->pm->ts,
		.pkt = ls->pm->num,
		.raw = d->head_buf,
		.raw_len = d->head_buf ? d->head_len : 0,
		.raw_truncated = d->head_trunc,
		.status = status,
	};
	st->http_heads++;
	if (d->head_trunc)
		st->head_copy_truncated++;
	if (sink->http_head && !ls->reported)
		sink->http_head(sink->ctx, &ls->pub, &h);
	d->head_active = false;
	d->head_len = 0;
	d->head_trunc = false;
}

/* ---- pending requests (pipelining) ------------------------------------ */

static void pend_push(struct leg_state *ls, enum req_kind k)
{
	if (ls->pend_count == PENDING_MAX) {
		analyzer_stats_rw(ls->an)->pipeline_cap_hits++;
		leg_note(&ls->pub, NOTE_WARN, "pipeline_cap",
			 "more than %d requests awaiting answers; older ones "
			 "forgotten (packet %llu)", PENDING_MAX,
			 (unsigned long long)ls->pm->num);
		ls->pend_head = (ls->pend_head + 1) % PENDING_MAX;
		ls->pend_count--;
	}
	ls->pending[(ls->pend_head + ls->pend_count) % PENDING_MAX] = k;
	ls->pend_count++;
}

static enum req_kind pend_front(const struct leg_state *ls)
{
	return ls->pend_count ? ls->pending[ls->pend_head] : REQ_OTHER;
}

static void pend_pop(struct leg_state *ls)
{
	if (!ls->pend_count)
		return;
	ls->pend_head = (ls->pend_head + 1) % PENDING_MAX;
	ls->pend_count--;
}

/* ---- lanes ---------------------------------------------------------- */

static int http_event(void *user, const struct http_event *ev);

static void http_start(struct leg_state *ls, int dir)
{
	struct lane_dir *d = &ls->d[dir];

	http_init(&d->http, dir == DIR_CLIENT ? HTTP_KIND_REQUEST :
						HTTP_KIND_RESPONSE,
		  http_event, d);
	d->http.offset = d->offset;
	d->http_ready = true;
	d->lane = LANE_HTTP;
}

/* Releases a direction's held bytes into whatever lane it is in now. */
static void release_hold(struct leg_state *ls, int dir)
{
	struct lane_dir *d = &ls->d[dir];
	uint8_t *buf = d->hold;
	size_t n = d->hold_len;

	d->hold = NULL;
	d->hold_len = 0;
	d->hold_cap = 0;
	if (n) {
		/* These bytes were counted when held; they are fed again now,
		 * from the offset where they began. */
		d->offset -= n;
		if (d->lane == LANE_HTTP)
			d->http.offset = d->offset;
		lane_feed(ls, dir, buf, n);
	}
	free(buf);
}

static void hold_bytes(struct leg_state *ls, int dir, const uint8_t *p,
		       size_t n)
{
	struct lane_dir *d = &ls->d[dir];

	if (n > HOLD_MAX - d->hold_len) {
		if (!d->hold_overflow) {
			analyzer_stats_rw(ls->an)->hold_cap_hits++;
			leg_note(&ls->pub, NOTE_WARN, "hold_cap",
				 "the %s sent more than %d bytes before %s; the "
				 "excess was not analysed (packet %llu)",
				 dir_name((enum dir)dir), HOLD_MAX,
				 dir == DIR_CLIENT ? "the answer to its request" :
						     "any request",
				 (unsigned long long)ls->pm->num);
		}
		d->hold_overflow = true;
		n = HOLD_MAX - d->hold_len;
	}
	if (!n)
		return;
	if (d->hold_len + n > d->hold_cap) {
		/* Usually nothing is held (clients wait for the answer), so
		 * the buffer starts small and doubles up to HOLD_MAX. */
		size_t cap = d->hold_cap ? d->hold_cap : 4096;
		while (cap < d->hold_len + n)
			cap *= 2;
		if (cap > HOLD_MAX)
			cap = HOLD_MAX;
		uint8_t *nb = realloc(d->hold, cap);
		if (!nb) {
			d->hold_overflow = true;
			return;
		}
		d->hold = nb;
		d->hold_cap = cap;
	}
	memcpy(d->hold + d->hold_len, p, n);
	d->hold_len += n;
}

static void host_port_from_uri(const char *uri, char *out, size_t size)
{
	/* absolute-form: scheme "://" authority [path]; RFC 9112 §3.2.2 */
	const char *s = strstr(uri, "://");
	const char *scheme_end = s;
	s = s ? s + 3 : uri;
	size_t n = strcspn(s, "/?#");
	bool has_port = false;
	for (size_t i = n; i > 0; i--) {
		if (s[i - 1] == ':') {
			has_port = true;
			break;
		}
		if (s[i - 1] == ']')
			break;
	}
	bool tls = scheme_end && scheme_end - uri == 5 &&
		   (strncmp(uri, "https", 5) == 0 || strncmp(uri, "HTTPS", 5) == 0);
	tls = tls || (scheme_end && scheme_end - uri == 3 &&
		      strncmp(uri, "wss", 3) == 0);
	if (has_port)
		snprintf(out, size, "%.*s", (int)n, s);
	else
		snprintf(out, size, "%.*s:%s", (int)n, s, tls ? "443" : "80");
}

static int on_request_head(struct leg_state *ls)
{
	struct lane_dir *d = &ls->d[DIR_CLIENT];
	struct hdr_vals *h = &d->hv;
	struct leg *l = &ls->pub;

	l->http_requests++;
	l->any_http = true;
	if (h->proxy_authorization)
		l->proxy_authorization_sent = true;
	if (h->via[0])
		text_copy(l->via_hdr, sizeof l->via_hdr, h->via);
	if (h->xff[0])
		text_copy(l->xff_hdr, sizeof l->xff_hdr, h->xff);
	if (h->forwarded[0])
		text_copy(l->forwarded_hdr, sizeof l->forwarded_hdr,
			  h->forwarded);
	/* Classify before reporting the head, so outputs label it right. */
	bool absolute = h->target[0] != '/' && strstr(h->target, "://");
	if (d->http.is_connect && !ls->tunnel)
		l->via = VIA_CONNECT;
	else if (absolute && !ls->tunnel)
		l->via = VIA_FORWARD;
	emit_head(ls, DIR_CLIENT, true, 0);

	if (d->http.is_connect && !ls->tunnel) {
		text_copy(l->target, sizeof l->target, h->target);
		leg_mark(ls, ST_PROXY_REQUEST);
		if (h->proxy_authorization) {
			text_copy(l->auth_scheme, sizeof l->auth_scheme,
				  h->auth_scheme);
			if (l->first_status == 407)
				l->retried_here = true;
			else
				leg_link_retry(ls);
		}
		pend_push(ls, REQ_CONNECT);
		d->lane = LANE_HOLD; /* tunnel bytes or the next request? */
		return HTTP_NEXT_STOP;
	}
	if (absolute && !ls->tunnel) {
		l->proxied_request = true;
		host_port_from_uri(h->target, l->target, sizeof l->target);
		leg_mark(ls, ST_PROXY_REQUEST);
	} else if (!ls->tunnel && l->via == VIA_DIRECT &&
		   (h->xff[0] || h->forwarded[0] || h->via[0])) {
		/* A proxy put its marks on the request: this leg runs from a
		 * reverse proxy to its backend (RFC 7239, RFC 9110 §7.6.3). */
		l->via = VIA_REVERSE;
	}
	if (h->upgrade[0] && http_list_has_token(h->upgrade, "websocket") &&
	    !l->ws.requested) {
		struct ws_info *w = &l->ws;
		w->requested = true;
		ls->upreq = *h;
		text_copy(w->path, sizeof w->path, h->target);
		text_copy(w->host, sizeof w->host, h->host);
		text_copy(w->key, sizeof w->key, h->key);
		text_copy(w->version, sizeof w->version, h->version);
		text_copy(w->offered_protocols, sizeof w->offered_protocols,
			 h->protocol);
		text_copy(w->offered_extensions, sizeof w->offered_extensions,
			 h->extensions);
		leg_link_ws_key(ls, w->key);
		ls->hsreq = (struct ws_hs_request){
			.upgrade = ls->upreq.upgrade,
			.connection = ls->upreq.connection,
			.key = ls->upreq.key,
			.version = ls->upreq.version,
			.protocols = ls->upreq.protocol,
			.extensions = ls->upreq.extensions,
			.key_seen = ls->upreq.key_seen,
		};
		ws_hs_check_request(&ls->hsreq, &ls->hs, NULL, NULL);
		leg_mark(ls, ST_HANDSHAKE);
		pend_push(ls, REQ_UPGRADE);
		d->lane = LANE_HOLD; /* frames or the next request? */
		return HTTP_NEXT_STOP;
	}
	if (h->key_seen && !l->ws.requested && !ls->upreq.key_seen) {
		/* A Sec-WebSocket-Key without Upgrade: a proxy that dropped
		 * the hop-by-hop Upgrade headers.  Keep the request to name
		 * what it dropped once linked to the client's leg. */
		ls->upreq = *h;
		leg_link_ws_key(ls, h->key);
	}
	pend_push(ls, d->http.is_head ? REQ_HEAD : REQ_OTHER);
	return HTTP_NEXT_DEFAULT;
}

static void hs_note(void *ctx, int level, const char *code, const char *text)
{
	struct leg_state *ls = ctx;
	leg_note(&ls->pub, level == 2 ? NOTE_ERROR :
			   level == 1 ? NOTE_WARN : NOTE_INFO,
		 code, "%s", text);
}

static int on_response_head(struct leg_state *ls)
{
	struct lane_dir *d = &ls->d[DIR_SERVER];
	struct hdr_vals *h = &d->hv;
	struct leg *l = &ls->pub;
	int status = d->http.status;
	enum req_kind k = pend_front(ls);

	l->http_responses++;
	l->any_http = true;
	l->last_status = status;
	text_copy(l->last_reason, sizeof l->last_reason, h->reason);
	emit_head(ls, DIR_SERVER, false, status);
	if (status >= 100 && status < 200 && status != 101)
		return HTTP_NEXT_DEFAULT; /* interim: the answer follows */
	pend_pop(ls);
	if (ls->key_req_ts > 0 && ls->key_resp_ts == 0)
		ls->key_resp_ts = ls->pm->ts;
	/* A forward proxy's answer to an absolute-form request (the Upgrade
	 * case marks its own below, with the 101 or the refusal). */
	if (l->via == VIA_FORWARD && k != REQ_CONNECT)
		leg_mark(ls, ST_PROXY_ANSWER);

	if (k == REQ_CONNECT) {
		l->proxy_status = status;
		if (!l->first_status)
			l->first_status = status;
		if (h->server[0] || h->via[0])
			text_copy(l->proxy_software, sizeof l->proxy_software,
				  h->server[0] ? h->server : h->via);
		if (l->stages[ST_PROXY_REQUEST].seen)
			l->proxy_latency = ls->pm->ts -
					   l->stages[ST_PROXY_REQUEST].ts;
		if (status == 407)
			leg_link_407(ls);
		text_copy(l->proxy_reason, sizeof l->proxy_reason, h->reason);
		if (h->proxy_authenticate[0])
			text_copy(l->proxy_auth, sizeof l->proxy_auth,
				  h->proxy_authenticate);
		if (h->squid_error[0])
			text_copy(l->proxy_error_hdr, sizeof l->proxy_error_hdr,
				 h->squid_error);
		leg_mark(ls, ST_PROXY_ANSWER);
		if (status >= 200 && status < 300) {
			/* RFC 9110 §9.3.6: after a 2xx the connection is a
			 * tunnel; both sides' next bytes are the tunnel's. */
			ls->tunnel = true;
			d->lane = LANE_SNIFF;
			ls->d[DIR_CLIENT].lane = LANE_SNIFF;
			release_hold(ls, DIR_CLIENT);
			return HTTP_NEXT_STOP;
		}
		/* Refused: the client may retry on this connection. */
		http_start(ls, DIR_CLIENT);
		release_hold(ls, DIR_CLIENT);
		return HTTP_NEXT_DEFAULT;
	}
	if (k == REQ_UPGRADE) {
		struct ws_info *w = &l->ws;
		struct ws_hs_response rs = {
			.status = status,
			.upgrade = h->upgrade,
			.connection = h->connection,
			.accept = h->accept,
			.protocol = h->protocol,
			.extensions = h->extensions,
			.accept_seen = h->accept_seen,
		};
		w->answered = true;
		w->status = status;
		if (l->via == VIA_FORWARD)
			leg_mark(ls, ST_PROXY_ANSWER);
		if (status == 101) {
			ws_hs_check_response(&ls->hsreq, &rs, &ls->hs, hs_note, ls);
			text_copy(w->accept, sizeof w->accept, h->accept);
			text_copy(w->expected_accept, sizeof w->expected_accept,
				 ls->hs.expected_accept);
			w->accept_valid = ls->hs.accept_valid;
			text_copy(w->protocol, sizeof w->protocol, h->protocol);
			text_copy(w->extensions, sizeof w->extensions,
				  h->extensions);
			text_copy(ls->upgrade_resp_ext, sizeof ls->upgrade_resp_ext,
				 h->extensions);
			text_copy(ls->upgrade_resp_proto,
				 sizeof ls->upgrade_resp_proto, h->protocol);
			w->deflate = ls->hs.deflate.on;
			w->subprotocol_problem = ls->hs.problem == WS_HS_SUBPROTOCOL;
			w->extension_problem = ls->hs.problem == WS_HS_EXTENSION;
			leg_mark(ls, ST_OPEN);
			/* RFC 6455 §4.2.2: after the 101 both sides speak
			 * WebSocket frames. */
			leg_ws_open(ls);
			release_hold(ls, DIR_CLIENT);
			return HTTP_NEXT_STOP;
		}
		http_start(ls, DIR_CLIENT);
		release_hold(ls, DIR_CLIENT);
		return HTTP_NEXT_DEFAULT;
	}
	if (status == 101) {
		if (leg_resync_midstream_101(ls))
			return HTTP_NEXT_STOP;
		leg_note(l, NOTE_WARN, "unexpected_101",
			 "a 101 answered a request without Upgrade: websocket "
			 "(packet %llu); the rest is not analysed",
			 (unsigned long long)ls->pm->num);
		d->lane = LANE_OPAQUE;
		ls->d[DIR_CLIENT].lane = LANE_OPAQUE;
		return HTTP_NEXT_STOP;
	}
	return k == REQ_HEAD ? HTTP_NEXT_NO_BODY : HTTP_NEXT_DEFAULT;
}

static int http_event(void *user, const struct http_event *ev)
{
	struct lane_dir *d = user;
	struct leg_state *ls = d->owner;
	int dir = d->dir;
	struct hdr_vals *h = &d->hv;

	switch (ev->type) {
	case HTTP_EV_MESSAGE_DONE:
		d->in_message = false;
		break;
	case HTTP_EV_MESSAGE_BEGIN:
		d->in_message = true;
		hv_clear(h);
		d->head_active = true;
		d->head_start = d->head_copied = ev->offset;
		d->head_len = 0;
		d->head_trunc = false;
		if (dir == DIR_SERVER) {
			enum req_kind k = pend_front(ls);
			d->http.request_was_head = k == REQ_HEAD;
			d->http.request_was_connect = k == REQ_CONNECT;
		}
		break;
	case HTTP_EV_METHOD:
		append_cut(h->method, sizeof h->method, &h->method_len, ev->at,
			   ev->len);
		break;
	case HTTP_EV_TARGET:
		append_cut(h->target, sizeof h->target, &h->target_len, ev->at,
			   ev->len);
		break;
	case HTTP_EV_REASON:
		append_cut(h->reason, sizeof h->reason, &h->reason_len, ev->at,
			   ev->len);
		break;
	case HTTP_EV_FIELD_NAME:
		if (ev->len > sizeof h->name - 1 - h->name_len)
			h->name_long = true;
		else {
			memcpy(h->name + h->name_len, ev->at, ev->len);
			h->name_len += ev->len;
		}
		break;
	case HTTP_EV_FIELD_VALUE:
		append_cut(h->value, sizeof h->value, &h->value_len, ev->at,
			   ev->len);
		break;
	case HTTP_EV_FIELD_DONE:
		field_done(h);
		break;
	case HTTP_EV_HEADERS_DONE:
		head_copy(d, ev->offset);
		return dir == DIR_CLIENT ? on_request_head(ls) :
					   on_response_head(ls);
	case HTTP_EV_NOTE:
		leg_note(&ls->pub, NOTE_WARN, ev->code, "%s (%s, packet %llu)",
			 ev->text, dir == DIR_CLIENT ? "client" : "server",
			 (unsigned long long)ls->pm->num);
		break;
	case HTTP_EV_ERROR:
		if (d->head_active) {
			/* Show what was sent even though it did not parse: the
			 * head so far and the rest of this chunk. */
			head_copy(d, d->chunk_off + d->chunk_len);
			d->head_trunc = true;
			emit_head(ls, dir, dir == DIR_CLIENT, 0);
		}
		ls->pub.http_errors++;
		analyzer_stats_rw(ls->an)->http_errors++;
		leg_note(&ls->pub, NOTE_ERROR, ev->code,
			 "%s (%s bytes at stream offset %llu, packet %llu)",
			 ev->text, dir == DIR_CLIENT ? "client" : "server",
			 (unsigned long long)ev->offset,
			 (unsigned long long)ls->pm->num);
		break;
	default:
		break;
	}
	return 0;
}

static size_t feed_http(struct leg_state *ls, int dir, const uint8_t *p,
			size_t n)
{
	struct lane_dir *d = &ls->d[dir];

	if (!d->http_ready && d->offset == 0 && tls_looks_like_record(p, n)) {
		/* TLS from the first byte: a leg from a proxy to a wss server,
		 * or a client speaking TLS to the proxy itself. */
		ls->pub.tls.seen = true;
		d->lane = LANE_TLS;
		if (ls->d[!dir].lane == LANE_HTTP && !ls->d[!dir].http_ready)
			ls->d[!dir].lane = LANE_TLS;
		return 0;
	}
	if (!d->http_ready)
		http_start(ls, dir);
	d->chunk = p;
	d->chunk_off = d->offset;
	d->chunk_len = n;
	size_t used = http_feed(&d->http, p, n);
	if (d->head_active)
		head_copy(d, d->chunk_off + used);
	d->chunk = NULL;
	if (d->http.pstate == HTTP_FAILED && d->lane == LANE_HTTP) {
		d->lane = LANE_OPAQUE;
		return n;
	}
	if (used < n && d->http.pstate != HTTP_STOPPED && d->lane == LANE_HTTP)
		return n; /* cannot happen per the parser's contract */
	if (d->http.pstate == HTTP_STOPPED && d->lane == LANE_HTTP) {
		/* The head stopped the parser but no layer took the bytes
		 * after it (a 101 answering a CONNECT, found by fuzzing):
		 * fed again they would be refused for ever and lane_feed
		 * would spin.  They are counted, not parsed. */
		d->lane = LANE_OPAQUE;
		leg_note(&ls->pub, NOTE_WARN, "unfollowed",
			 "the %s's bytes after its head at stream offset %llu "
			 "fit no layer wstap follows: counted, not parsed",
			 dir == DIR_CLIENT ? "client" : "server",
			 (unsigned long long)(d->chunk_off + used));
	}
	return used;
}

/* Inside a CONNECT tunnel: TLS is recognised by its record header
 * (RFC 8446 §5.1); anything else is taken as HTTP (an Upgrade). */
static void sniff(struct leg_state *ls, int dir, const uint8_t *p, size_t n)
{
	struct lane_dir *d = &ls->d[dir];

	leg_mark(ls, ST_TUNNEL);
	if (tls_looks_like_record(p, n) || ls->pub.tls.seen) {
		ls->pub.tls.seen = true;
		d->lane = LANE_TLS;
		if (ls->d[!dir].lane == LANE_SNIFF)
			ls->d[!dir].lane = LANE_TLS;
		return;
	}
	http_start(ls, dir);
}

/* A response cannot come before its request, but a capture can show it
 * first (reordered across directions, RFC 9293 gives no order between the
 * two).  Server bytes that would start a response while no request is
 * waiting are held until the client's next request is read (or the client
 * is done, or the hold is full). */
static bool server_must_wait(const struct leg_state *ls)
{
	const struct lane_dir *s = &ls->d[DIR_SERVER];
	const struct lane_dir *c = &ls->d[DIR_CLIENT];

	return ls->pend_count == 0 && !s->in_message && !ls->pub.midstream &&
	       !ls->pub.fin[DIR_CLIENT] && !ls->pub.rst[DIR_CLIENT] &&
	       (c->lane == LANE_HTTP || c->lane == LANE_SNIFF) &&
	       s->hold_len < HOLD_MAX && !s->hold_overflow;
}

/* Feeds the server's held bytes once they can be understood. */
static void release_server(struct leg_state *ls, bool force)
{
	if (ls->d[DIR_SERVER].hold_len && (force || !server_must_wait(ls)))
		release_hold(ls, DIR_SERVER);
}

static void lane_feed(struct leg_state *ls, int dir, const uint8_t *p,
		      size_t n)
{
	struct lane_dir *d = &ls->d[dir];

	while (n > 0) {
		size_t used = n;
		switch (d->lane) {
		case LANE_HTTP:
			if (dir == DIR_SERVER && server_must_wait(ls)) {
				hold_bytes(ls, DIR_SERVER, p, n);
				break;
			}
			used = feed_http(ls, dir, p, n);
			break;
		case LANE_HOLD:
			hold_bytes(ls, dir, p, n);
			break;
		case LANE_SNIFF:
			sniff(ls, dir, p, n);
			used = 0;
			break;
		case LANE_TLS:
			leg_tls_feed(ls, dir, p, n);
			/* The TLS layer took all; when it began decrypting,
			 * the offset counts its plaintext, not these bytes. */
			if (d->tls_layer)
				return;
			break;
		case LANE_WS:
			leg_ws_feed(ls, dir, p, n);
			break;
		case LANE_OPAQUE:
			d->opaque_bytes += n;
			break;
		case LANE_RESYNC:
			used = leg_resync_feed(ls, dir, p, n);
			break;
		}
		d->offset += used;
		p += used;
		n -= used;
	}
}

/* ---- leg lifecycle -------------------------------------------------- */

struct leg_state *leg_new(struct analyzer *a, uint64_t id,
			  const struct ip_endpoint *client,
			  const struct ip_endpoint *server, bool syn,
			  const struct pkt_meta *pm)
{
	struct leg_state *ls = recycle_get(&analyzer_pools(a)->legs);

	if (!ls)
		return NULL;
	/* All zero but the notes (read only up to n_notes) and the header
	 * value sets (emptied by hv_clear): half of the 28 KB, which a
	 * calloc would write for every connection. */
	static const size_t holes[][2] = {
		{ offsetof(struct leg_state, pub.notes),
		  sizeof(((struct leg_state *)0)->pub.notes) },
		{ offsetof(struct leg_state, d[0].hv), sizeof(struct hdr_vals) },
		{ offsetof(struct leg_state, d[1].hv), sizeof(struct hdr_vals) },
		{ offsetof(struct leg_state, upreq), sizeof(struct hdr_vals) },
	};
	size_t at = 0;
	for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++) {
		memset((char *)ls + at, 0, holes[i][0] - at);
		at = holes[i][0] + holes[i][1];
	}
	memset((char *)ls + at, 0, sizeof *ls - at);
	hv_clear(&ls->d[0].hv);
	hv_clear(&ls->d[1].hv);
	hv_clear(&ls->upreq);
	ls->an = a;
	ls->pm = pm;
	ls->pub.id = id;
	endpoint_format(client, ls->pub.client.text, sizeof ls->pub.client.text);
	endpoint_format(server, ls->pub.server.text, sizeof ls->pub.server.text);
	ls->pub.client.port = client->port;
	ls->pub.server.port = server->port;
	ls->pub.syn_seen = syn;
	ls->pub.midstream = !syn;
	ls->pub.client_known = syn;
	ls->pub.first_ts = pm->ts;
	ls->pub.first_pkt = pm->num;
	leg_mark(ls, ST_TCP);
	for (int i = 0; i < 2; i++) {
		ls->d[i].owner = ls;
		ls->d[i].dir = i;
		ls->d[i].lane = LANE_HTTP;
		/* Picked up midstream: the first byte may be anywhere in a
		 * message; decoding starts at a boundary found by scanning. */
		if (!syn)
			leg_resync_start(ls, i, false);
	}
	return ls;
}

void leg_lane_feed(struct leg_state *ls, int dir, const uint8_t *p, size_t n)
{
	lane_feed(ls, dir, p, n);
}

void leg_data(struct leg_state *ls, int dir, const uint8_t *p, size_t n,
	      const struct pkt_meta *pm)
{
	ls->pm = pm;
	dir ^= ls->swapped;
	ls->pub.tcp_bytes[dir] += n;
	if (ls->d[dir].tls_layer)
		leg_tls_raw(ls, dir, p, n);
	else
		lane_feed(ls, dir, p, n);
	release_server(ls, false);
}

void leg_plain_start(struct leg_state *ls, int dir)
{
	ls->d[dir].tls_layer = true;
	http_start(ls, dir);
}

void leg_gap(struct leg_state *ls, int dir, uint64_t n,
	     const struct pkt_meta *pm)
{
	dir ^= ls->swapped;
	struct lane_dir *d = &ls->d[dir];

	ls->pm = pm;
	ls->pub.gaps++;
	ls->pub.gap_bytes += n;
	leg_note(&ls->pub, NOTE_WARN, "gap",
		 "%llu bytes from the %s are missing from the capture at "
		 "stream offset %llu (before packet %llu)",
		 (unsigned long long)n, dir == DIR_CLIENT ? "client" : "server",
		 (unsigned long long)d->offset, (unsigned long long)pm->num);
	d->offset += n;
	if (d->tls_layer) {
		/* Lost ciphertext: the records after it cannot be found. */
		leg_tls_gap(ls, dir);
		d->lane = LANE_OPAQUE;
		return;
	}
	/* Decoding stays in step when the lane knows where its next unit
	 * begins, or resumes at a boundary found by scanning; a lane that
	 * can do neither counts the rest instead of misparsing it. */
	if (!leg_resync_gap(ls, dir, n))
		d->lane = LANE_OPAQUE;
}

void leg_end_stream(struct leg_state *ls, int dir, bool rst,
		    const struct pkt_meta *pm)
{
	dir ^= ls->swapped;
	struct lane_dir *d = &ls->d[dir];

	ls->pm = pm;
	if (!ls->pub.end_seen) {
		/* who ended the connection first, and when */
		ls->pub.end_seen = true;
		ls->pub.end_ts = pm->ts;
		ls->pub.end_pkt = pm->num;
		ls->pub.end_by = (enum dir)dir;
		ls->pub.end_rst = rst;
	}
	if (rst) {
		ls->pub.rst[dir] = true;
		ls->pub.rst_pkt = pm->num;
	} else {
		ls->pub.fin[dir] = true;
	}
	/* Held server bytes are read now: the client will send no request
	 * to wait for, or the server's side is complete. */
	release_server(ls, dir == DIR_SERVER);
	if (d->lane == LANE_HTTP && d->http_ready)
		http_finish(&d->http);
}

bool leg_reportable(const struct leg_state *ls)
{
	return ls->pub.any_http || ls->pub.ws.requested ||
	       ls->pub.stages[ST_PROXY_REQUEST].seen || ls->pub.http_errors ||
	       ls->pub.tls.seen || ls->pub.ws_midstream;
}

void leg_finalize(struct leg_state *ls)
{
	struct leg *l = &ls->pub;

	release_server(ls, true);

	if (l->fin[0] || l->fin[1] || l->rst[0] || l->rst[1]) {
		l->ended = true;
		leg_mark(ls, ST_CLOSED);
	}
	leg_resync_finish(ls);
	leg_ws_finish(ls);
	if (l->stages[ST_OPEN].seen && !l->ended)
		l->open_at_end = true;
	/* What only the end needed is released now; the verdict is decided
	 * when the leg is reported, after its partner could add to it. */
	leg_ws_free(ls);
	for (int i = 0; i < 2; i++) {
		free(ls->d[i].hold);
		ls->d[i].hold = NULL;
	}
	leg_tls_finish(ls);
	/* Nothing reads a head after this; a leg waiting to be linked
	 * need not keep 16 KB per direction. */
	for (int i = 0; i < 2; i++) {
		recycle_put(&analyzer_pools(ls->an)->heads, ls->d[i].head_buf);
		ls->d[i].head_buf = NULL;
	}
	ls->ended_here = true;
	leg_link_compare(ls);
}

void leg_free(struct leg_state *ls)
{
	if (!ls)
		return;
	leg_link_unpair(ls);
	leg_ws_free(ls);
	leg_resync_free(ls);
	struct analyzer_pools *pools = analyzer_pools(ls->an);
	for (int i = 0; i < 2; i++) {
		recycle_put(&pools->heads, ls->d[i].head_buf);
		free(ls->d[i].hold);
	}
	leg_tls_free(ls);
	recycle_put(&pools->legs, ls);
}
