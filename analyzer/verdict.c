/* verdict.c - one verdict per leg, with a plain-English explanation that
 * cites the evidence (status line, header, packet number).
 *
 * The first failure along the stages decides: TCP, proxy answer, tunnel,
 * TLS, Upgrade answer, handshake checks, frames, close.
 */
#include "leg.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void explain(struct leg *l, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void explain(struct leg *l, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	l->verdict = v;
	va_start(ap, fmt);
	text_vformat(l->explanation, sizeof l->explanation, fmt, ap);
	va_end(ap);
}

static double stage_time(const struct leg *l, enum stage s)
{
	return l->stages[s].seen ? l->stages[s].ts : 0;
}

static unsigned long long pkt(const struct leg *l, enum stage s)
{
	return (unsigned long long)l->stages[s].pkt;
}

/* How the connection ended, as a clause: "the server closed the
 * connection (FIN, packet 12)" or "the capture ended". */
static void end_clause(const struct leg *l, char *buf, size_t size)
{
	/* The side that ended the connection first; on a leg to a proxy
	 * the server side is the proxy. */
	const char *who = l->end_by == DIR_CLIENT ? "client" :
			  (l->via == VIA_CONNECT || l->via == VIA_FORWARD) ?
				  "proxy" : "server";
	if (l->end_seen)
		text_format(buf, size, "the %s %s the connection (%s, packet %llu)",
			 who, l->end_rst ? "reset" : "closed",
			 l->end_rst ? "RST" : "FIN",
			 (unsigned long long)l->end_pkt);
	else
		text_format(buf, size, "the capture ended (last packet %llu)",
			 (unsigned long long)l->last_pkt);
}

/* Close codes of RFC 6455 §7.4.1 that mean something went wrong. */
static const char *close_meaning(uint16_t code)
{
	switch (code) {
	case 1000: return "normal closure";
	case 1001: return "going away";
	case 1002: return "protocol error";
	case 1003: return "unsupported data";
	case 1007: return "invalid payload data";
	case 1008: return "policy violation";
	case 1009: return "message too big";
	case 1010: return "mandatory extension missing";
	case 1011: return "internal server error";
	case 1012: return "service restart";
	case 1013: return "try again later";
	case 1014: return "bad gateway";
	default: return code >= 3000 && code <= 4999 ? "application-defined" :
						       "unknown code";
	}
}

/* A duration for people: "0.4 ms" below a second, "2.31 s" above. */
static const char *human_delay(double s, char *buf, size_t size)
{
	if (s < 1.0)
		text_format(buf, size, "%.1f ms", s * 1e3);
	else
		text_format(buf, size, "%.2f s", s);
	return buf;
}

/* "squid (127.0.0.1:3128)" from the proxy's Server or Via header, or
 * "the proxy (127.0.0.1:3128)". */
static void proxy_name(const struct leg *l, char *buf, size_t size)
{
	const char *sw = l->proxy_software;
	size_t n = strcspn(sw, "/ (");
	/* Via is "1.1 host (product)": take the product in parentheses */
	const char *paren = strchr(sw, '(');
	if (paren && n > 0 && sw[0] >= '0' && sw[0] <= '9') {
		sw = paren + 1;
		n = strcspn(sw, "/ )");
	}
	if (n > 0 && n < 40)
		text_format(buf, size, "%.*s (%s)", (int)n, sw, l->server.text);
	else
		text_format(buf, size, "the proxy (%s)", l->server.text);
}

/* What squid's X-Squid-Error codes mean, in words and with what to try. */
static const char *squid_error_meaning(const char *e)
{
	static const struct {
		const char *code, *meaning;
	} m[] = {
		{ "ERR_ACCESS_DENIED", "the proxy's access rules refuse this "
		  "destination (check http_access and the allowed CONNECT ports)" },
		{ "ERR_CONNECT_FAIL", "the proxy could not connect to the target "
		  "(the number after it is the errno: 111 is connection refused, "
		  "113 no route to host); check that the server is listening" },
		{ "ERR_DNS_FAIL", "the proxy could not resolve the target's name" },
		{ "ERR_READ_TIMEOUT", "the target stopped answering the proxy" },
		{ "ERR_CONNECT_TIMEOUT", "the proxy's connection to the target "
		  "timed out" },
		{ "ERR_CACHE_ACCESS_DENIED", "the proxy requires authentication" },
		{ "ERR_GATEWAY_FAILURE", "the proxy's upstream failed" },
		{ "ERR_INVALID_REQ", "the proxy could not parse the request" },
		{ "ERR_UNSUP_REQ", "the proxy does not support this request" },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (strncmp(e, m[i].code, strlen(m[i].code)) == 0)
			return m[i].meaning;
	return NULL;
}

/* The leg's first error note whose code starts with `prefix`. */
static const struct note *first_error(const struct leg *l, const char *prefix)
{
	for (unsigned i = 0; i < l->n_notes; i++)
		if (l->notes[i].level == NOTE_ERROR &&
		    strncmp(l->notes[i].code, prefix, strlen(prefix)) == 0)
			return &l->notes[i];
	return NULL;
}

static bool proxy_stage(struct leg *l, const char *ends)
{
	const char *t = l->target[0] ? l->target : "(no target)";
	int s = l->proxy_status;
	char who[96], after[48] = "", why[320] = "";

	if (!l->stages[ST_PROXY_REQUEST].seen)
		return false;
	proxy_name(l, who, sizeof who);
	if (!l->stages[ST_PROXY_ANSWER].seen) {
		if (l->ended)
			explain(l, V_PROXY_NO_RESPONSE,
				"The client asked %s for %s (packet %llu) and got no "
				"answer; %s. Check that the proxy is up and reachable "
				"and that nothing between drops the request.",
				who, t, pkt(l, ST_PROXY_REQUEST), ends);
		else
			explain(l, V_PROXY_NO_RESPONSE,
				"The client asked %s for %s (packet %llu) and no "
				"answer was captured before %s; the proxy may be slow "
				"or dropping the request.",
				who, t, pkt(l, ST_PROXY_REQUEST), ends);
		return true;
	}
	if (l->via != VIA_CONNECT)
		return false;
	if (l->proxy_latency >= 0 && l->stages[ST_PROXY_REQUEST].seen)
		text_format(after, sizeof after, " after %.1f ms",
			 l->proxy_latency * 1e3);
	if (l->proxy_error_hdr[0]) {
		const char *mean = squid_error_meaning(l->proxy_error_hdr);
		text_format(why, sizeof why, "; its error page says %s%s%s",
			 l->proxy_error_hdr, mean ? ": " : "", mean ? mean : "");
	}
	if (s == 407) {
		char retry[200] = "";
		char d[32];
		if (l->retried_by)
			text_format(retry, sizeof retry, " The client retried %s "
				 "later on leg %llu with Proxy-Authorization.",
				 human_delay(l->retry_delay, d, sizeof d),
				 (unsigned long long)l->retried_by);
		explain(l, V_PROXY_AUTH_REQUIRED,
			"%s demanded authentication for CONNECT %s: %d %s at packet "
			"%llu%s, Proxy-Authenticate: %s. %s%s",
			who, t, s, l->proxy_reason, pkt(l, ST_PROXY_ANSWER), after,
			l->proxy_auth[0] ? l->proxy_auth : "(none given)",
			l->proxy_authorization_sent ?
				"The client did send Proxy-Authorization (scheme "
				"given below): the credentials were refused." :
				"The client sent no Proxy-Authorization on this "
				"connection; give the client the proxy's credentials.",
			retry);
		return true;
	}
	if (s >= 400 && s < 500) {
		explain(l, V_PROXY_DENIED,
			"%s answered the CONNECT to %s with %d %s%s (packet %llu)%s. "
			"%s",
			who, t, s, l->proxy_reason, after, pkt(l, ST_PROXY_ANSWER),
			why, why[0] ? "" : "The proxy's rules refuse this host or "
			"port; check its access list for CONNECT.");
		return true;
	}
	if (s >= 500) {
		/* An intercepting proxy answers a CONNECT it cannot inspect
		 * with its own error, e.g. "500 handshakefailed". */
		bool tls_intercept = strstr(l->proxy_reason, "handshake") != NULL;
		explain(l, V_PROXY_ERROR,
			"%s could not open the tunnel to %s: %d %s%s (packet %llu)%s.%s",
			who, t, s, l->proxy_reason, after, pkt(l, ST_PROXY_ANSWER),
			why, tls_intercept ? " The proxy itself failed a TLS "
			"handshake: it most likely intercepts and inspects TLS, so "
			"the WebSocket server must be exempted from inspection." :
			why[0] ? "" : " The proxy's side of the tunnel failed; its "
			"logs say why.");
		return true;
	}
	if (s < 200 || s >= 300) {
		explain(l, V_PROXY_DENIED,
			"%s answered the CONNECT to %s with %d %s%s (packet %llu) "
			"instead of a 2xx, so no tunnel was opened.",
			who, t, s, l->proxy_reason, after, pkt(l, ST_PROXY_ANSWER));
		return true;
	}
	return false;
}

static const char *tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	default: return "unknown version";
	}
}

/* RFC 8446 §6 and RFC 5246 §7.2 alert descriptions. */
static const char *tls_alert_name(uint8_t d)
{
	switch (d) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	case 112: return "unrecognized_name";
	case 116: return "certificate_required";
	case 120: return "no_application_protocol";
	default: return "unknown alert";
	}
}

static bool tls_stage(struct leg *l, const char *ends)
{
	const struct tls_info *t = &l->tls;
	const char *where = l->via == VIA_CONNECT ? "inside the tunnel" :
						    "on this connection";

	if (!t->seen)
		return false;
	/* Decrypted with a key log: what TLS carried is judged like the
	 * bytes of a cleartext tunnel (the Upgrade, the WebSocket). */
	if (t->decrypted)
		return false;
	if (t->alert_clear) {
		explain(l, V_TLS_FAILED,
			"TLS %s%s%s failed: the %s sent a %s alert %u (%s) that "
			"ended the TLS handshake; %s.%s", where,
			t->sni[0] ? " to " : "", t->sni, dir_name(t->alert_by),
			t->alert_level == 2 ? "fatal" : t->alert_level == 1 ?
				"warning" : "cleartext",
			t->alert_desc, tls_alert_name(t->alert_desc), ends,
			t->alert_desc == 48 || t->alert_desc == 42 ||
			t->alert_desc == 46 ? " The client does not trust the "
			"server's certificate: install its CA on the client, or "
			"look for a proxy re-signing TLS." : "");
		return true;
	}
	bool done = t->app_data[0] && t->app_data[1];
	if (!done && l->ended) {
		explain(l, V_TLS_FAILED,
			"The TLS handshake %s did not complete "
			"(ClientHello %s, ServerHello %s, no application data "
			"both ways); %s.", where,
			t->client_hello ? "seen" : "missing",
			t->server_hello ? "seen" : "missing", ends);
		return true;
	}
	if (!done) {
		explain(l, V_INCOMPLETE,
			"TLS started %s but the capture ended before the TLS "
			"handshake completed.", where);
		return true;
	}
	char keys[360];
	const char *cr = t->client_random[0] ? t->client_random :
					       "(unknown: no ClientHello captured)";
	if (!t->keylog)
		text_format(keys, sizeof keys, "A TLS key log (SSLKEYLOGFILE) "
			 "holding client random %s would let wstap see inside "
			 "(--keylog FILE).", cr);
	else if (t->decrypt_failed)
		text_format(keys, sizeof keys, "The key log's secrets for client "
			 "random %s failed to decrypt it (authentication failed): "
			 "they belong to another session, or the capture is "
			 "damaged; see the notes.", cr);
	else if (!t->keys_found)
		text_format(keys, sizeof keys, "The key log has no line for its "
			 "client random %s (CLIENT_RANDOM for TLS 1.2, "
			 "CLIENT_TRAFFIC_SECRET_0 and the others for TLS 1.3).", cr);
	else
		text_format(keys, sizeof keys, "The key log has secrets for client "
			 "random %s, but no application data could be decrypted; "
			 "see the notes.", cr);
	explain(l, V_TLS_ENCRYPTED,
		"TLS %s%s%s (%s) completed its handshake; what it carries, "
		"including any WebSocket, is encrypted. %s",
		where, t->sni[0] ? " to " : "", t->sni,
		tls_version_name(t->version), keys);
	return true;
}

static bool handshake_stage(struct leg *l, const char *ends)
{
	const struct ws_info *w = &l->ws;

	if (!w->answered) {
		if (l->ended)
			explain(l, V_TUNNEL_CLOSED,
				"The client sent the WebSocket Upgrade for '%s' "
				"(packet %llu) and %s before any answer.",
				w->path, pkt(l, ST_HANDSHAKE), ends);
		else
			explain(l, V_INCOMPLETE,
				"The client sent the WebSocket Upgrade for '%s' "
				"(packet %llu); no answer was captured before the "
				"capture ended.", w->path, pkt(l, ST_HANDSHAKE));
		return true;
	}
	if (w->status != 101) {
		explain(l, V_HANDSHAKE_REJECTED,
			"The server answered the WebSocket Upgrade for '%s' with "
			"'%d %s' instead of '101 Switching Protocols'%s.",
			w->path, w->status, l->last_reason,
			l->via == VIA_FORWARD ? " (the request went through a "
						"forward proxy, which may have "
						"refused or stripped the Upgrade)" :
						"");
		return true;
	}
	if (!w->accept_valid) {
		if (w->accept[0])
			explain(l, V_ACCEPT_MISMATCH,
				"The 101 (packet %llu) carries Sec-WebSocket-Accept "
				"'%s', but the key '%s' requires '%s'; a client "
				"must fail the connection (RFC 6455 §4.1). A proxy "
				"or server is rewriting the handshake.",
				pkt(l, ST_OPEN), w->accept, w->key,
				w->expected_accept);
		else
			explain(l, V_ACCEPT_MISMATCH,
				"The 101 (packet %llu) has no Sec-WebSocket-Accept; "
				"the key '%s' requires '%s'.",
				pkt(l, ST_OPEN), w->key, w->expected_accept);
		return true;
	}
	if (w->subprotocol_problem) {
		char then[200] = "";
		if (l->end_seen && l->end_ts >= stage_time(l, ST_OPEN)) {
			char d[32];
			text_format(then, sizeof then, ", which the %s did %s later %s",
				 dir_name(l->end_by),
				 human_delay(l->end_ts - stage_time(l, ST_OPEN), d,
					     sizeof d),
				 l->close.seen ? "after a close frame" :
						 "without a close frame");
		}
		if (w->protocol[0])
			explain(l, V_SUBPROTOCOL_MISMATCH,
				"The client offered subprotocol(s) %s, the server's "
				"101 (packet %llu) selected %s, which was not "
				"offered; the client must then fail the connection "
				"(RFC 6455 §4.1)%s.", w->offered_protocols,
				pkt(l, ST_OPEN), w->protocol, then);
		else
			explain(l, V_SUBPROTOCOL_MISMATCH,
				"The client offered subprotocol(s) %s, the server's "
				"101 (packet %llu) selected none; browsers then close "
				"the connection (RFC 6455 §4.1)%s. Make the server "
				"accept one of the offered subprotocols.",
				w->offered_protocols, pkt(l, ST_OPEN), then);
		return true;
	}
	if (w->extension_problem) {
		const struct note *n = first_error(l, "extension_not_offered");
		if (!n)
			n = first_error(l, "deflate_");
		explain(l, V_EXTENSION_MISMATCH,
			"The 101 (packet %llu) accepted extensions '%s' but the "
			"client offered '%s'; a browser fails the connection: "
			"%s.", pkt(l, ST_OPEN), w->extensions,
			w->offered_extensions, n ? n->text :
			"RFC 6455 §4.1");
		return true;
	}
	return false;
}

static void open_stage(struct leg *l, const char *ends)
{
	const struct close_info *c = &l->close;
	char route[600];

	if (l->via == VIA_CONNECT)
		text_format(route, sizeof route, "through the proxy's tunnel to %s",
			 l->target);
	else if (l->via == VIA_FORWARD)
		text_format(route, sizeof route, "through the forward proxy to %s",
			 l->target);
	else if (l->via == VIA_REVERSE && l->link.client_side)
		text_format(route, sizeof route, "through the reverse proxy at %s",
			 l->server.text);
	else
		text_format(route, sizeof route, "to %s", l->server.text);

	if (l->protocol_errors) {
		explain(l, V_PROTOCOL_ERROR,
			"The WebSocket opened %s (101 at packet %llu) but %llu "
			"frame rule violation(s) followed; the first is in the "
			"notes.", route, pkt(l, ST_OPEN),
			(unsigned long long)l->protocol_errors);
		return;
	}
	if (l->deflate_errors) {
		const struct note *n = first_error(l, "deflate_error");
		explain(l, V_DEFLATE_ERROR,
			"The WebSocket opened %s but %llu compressed message(s) "
			"could not be inflated as negotiated; the first: %s",
			route, (unsigned long long)l->deflate_errors,
			n ? n->text : "see the notes.");
		return;
	}
	if (c->seen && c->has_code && c->code != 1000 && c->code != 1001 &&
	    !(c->code >= 3000 && c->code <= 4999)) {
		explain(l, V_CLOSED_ABNORMALLY,
			"The WebSocket opened %s and the %s closed it with code "
			"%u (%s)%s%s%s (packet %llu).", route, dir_name(c->by),
			c->code, close_meaning(c->code),
			c->reason_len ? ", reason '" : "", c->reason,
			c->reason_len ? "'" : "", pkt(l, ST_CLOSING));
		return;
	}
	if (c->seen) {
		if (!l->ended) {
			explain(l, V_INCOMPLETE,
				"The WebSocket opened %s and the %s sent a close "
				"(code %u) at packet %llu; the capture ended before "
				"the connection closed.", route, dir_name(c->by),
				c->has_code ? c->code : 1005, pkt(l, ST_CLOSING));
			return;
		}
		explain(l, V_OK,
			"The WebSocket opened %s (101 at packet %llu), carried "
			"%llu message(s) from the client and %llu from the "
			"server, and the %s closed it with code %u (%s)%s.",
			route, pkt(l, ST_OPEN),
			(unsigned long long)(l->msgs[0].text + l->msgs[0].binary),
			(unsigned long long)(l->msgs[1].text + l->msgs[1].binary),
			dir_name(c->by), c->has_code ? c->code : 1005,
			c->has_code ? close_meaning(c->code) : "no code",
			c->replied ? ", answered by the other side" : "");
		return;
	}
	if (l->gaps) {
		explain(l, V_INCOMPLETE,
			"The WebSocket opened %s (101 at packet %llu); the capture "
			"lost part of the connection, so how it ended is unknown "
			"(%s).", route, pkt(l, ST_OPEN), ends);
		return;
	}
	if (l->ended) {
		explain(l, V_CLOSED_ABNORMALLY,
			"The WebSocket opened %s (101 at packet %llu) but ended "
			"without a close frame: %s (code 1006 as seen by the "
			"application).", route, pkt(l, ST_OPEN), ends);
		return;
	}
	explain(l, V_INCOMPLETE,
		"The WebSocket opened %s (101 at packet %llu) and was still "
		"open when the capture ended.", route, pkt(l, ST_OPEN));
}

static void decide(struct leg *l);

/* Appends a formatted sentence to the explanation, cut at its size. */
static void append(struct leg *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void append(struct leg *l, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(l->explanation);

	va_start(ap, fmt);
	text_vformat(l->explanation + n, sizeof l->explanation - n, fmt, ap);
	va_end(ap);
}

/* What linking found: the other leg, the proxy's delays and changes. */
static void explain_link(struct leg *l)
{
	const struct link_info *li = &l->link;

	char d[32];

	if (l->retry_of)
		append(l, " This CONNECT retried leg %llu's 407 %s later, "
			  "authenticating as %s.", (unsigned long long)l->retry_of,
		       human_delay(l->retry_delay, d, sizeof d),
		       l->auth_scheme[0] ? l->auth_scheme : "?");
	else if (l->retried_here)
		append(l, " The first CONNECT on this connection got %d; the "
			  "client retried on the same connection, authenticating "
			  "as %s.", l->first_status,
		       l->auth_scheme[0] ? l->auth_scheme : "?");
	if (!l->linked)
		return;
	append(l, " Its other side of the proxy is leg %llu (%s)",
	       (unsigned long long)l->linked, li->evidence);
	if (li->request_delay >= 0 && li->response_delay >= 0)
		append(l, "; the proxy took %.1f ms to forward the Upgrade and "
			  "%.1f ms to return the %s", li->request_delay * 1e3,
		       li->response_delay * 1e3,
		       l->ws.answered && l->ws.status == 101 ? "101" : "answer");
	else if (li->request_delay >= 0)
		append(l, "; the proxy connected onward %.1f ms after the "
			  "request", li->request_delay * 1e3);
	uint64_t n = li->compared[0] + li->compared[1];
	if (n)
		append(l, "; %llu message(s) compared: %llu changed, %llu only on "
			  "one side, largest added delay %.1f ms",
		       (unsigned long long)n, (unsigned long long)li->changed,
		       (unsigned long long)li->missing, li->max_delay * 1e3);
	if (li->header_changes[0])
		append(l, "; headers the proxy touched: %s", li->header_changes);
	append(l, ".");
	if (li->cert_differs)
		append(l, " The TLS certificate on this leg (issuer %s) is not "
			  "the one on the other side of the proxy (issuer %s): the "
			  "proxy intercepts TLS and re-signs it.",
		       l->tls.cert.issuer, li->other_issuer);
	if (strstr(li->header_changes, "Upgrade dropped"))
		append(l, " The proxy did not pass the Upgrade header on, which "
			  "it drops as hop-by-hop (RFC 9110 §7.6.1) unless told "
			  "to: configure it to forward Upgrade and Connection "
			  "(nginx: proxy_set_header Upgrade $http_upgrade; "
			  "proxy_set_header Connection \"upgrade\").");
}

void verdict_decide(struct leg *l)
{
	decide(l);
	explain_link(l);
	if (l->expired_idle > 0 && !l->ended &&
	    strstr(l->explanation, "capture ended")) {
		/* Several explanations say "the capture ended"; for an expired
		 * leg that is not what happened, so say what did. */
		size_t n = strlen(l->explanation);
		text_format(l->explanation + n, sizeof l->explanation - n,
			 " (The capture did not end: no packet was seen on this "
			 "connection for %.0f s after packet %llu, so wstap "
			 "stopped following it; the connection may still be "
			 "open. Raise --idle to follow quieter connections.)",
			 l->expired_idle, (unsigned long long)l->last_pkt);
	}
	if (l->gaps) {
		/* Whatever the stage, missing bytes change what the verdict
		 * can claim: say so where the user will read it. */
		size_t n = strlen(l->explanation);
		if (l->gap_undecoded)
			text_format(l->explanation + n, sizeof l->explanation - n,
				 " The capture lacks %llu byte(s) of this "
				 "connection (%llu gap(s)); part of what followed "
				 "could not be decoded (see the notes).",
				 (unsigned long long)l->gap_bytes,
				 (unsigned long long)l->gaps);
		else
			text_format(l->explanation + n, sizeof l->explanation - n,
				 " The capture lacks %llu byte(s) of this "
				 "connection (%llu gap(s)); decoding resumed after "
				 "each (%llu byte(s) skipped to find a boundary) "
				 "and messages spanning a gap are marked "
				 "truncated.", (unsigned long long)l->gap_bytes,
				 (unsigned long long)l->gaps,
				 (unsigned long long)l->resync_skipped);
	}
}

static void decide(struct leg *l)
{
	char ends[160];

	end_clause(l, ends, sizeof ends);
	if (proxy_stage(l, ends))
		return;
	if (l->via == VIA_CONNECT && !l->stages[ST_TUNNEL].seen) {
		if (l->ended)
			explain(l, V_TUNNEL_CLOSED,
				"The proxy opened the tunnel to %s ('%d %s', packet "
				"%llu) but no byte went through it: %s.",
				l->target, l->proxy_status, l->proxy_reason,
				pkt(l, ST_PROXY_ANSWER), ends);
		else
			explain(l, V_INCOMPLETE,
				"The proxy opened the tunnel to %s (packet %llu); "
				"the capture ended before anything went through.",
				l->target, pkt(l, ST_PROXY_ANSWER));
		return;
	}
	if (tls_stage(l, ends))
		return;
	if (l->ws.requested) {
		if (handshake_stage(l, ends))
			return;
		open_stage(l, ends);
		return;
	}
	if (l->ws_midstream && !l->ws.requested) {
		const struct close_info *c = &l->close;
		char closed[96] = "";
		if (c->seen)
			text_format(closed, sizeof closed, "; the %s closed it "
				 "with code %u", dir_name(c->by),
				 c->has_code ? c->code : 1005);
		explain(l, V_INCOMPLETE,
			"The capture began in the middle of this connection, so "
			"the WebSocket handshake was not captured. WebSocket "
			"frames were recognised from their headers (%llu byte(s) "
			"skipped to the first frame boundary) and decoded from "
			"there: %llu message(s) from the client, %llu from the "
			"server%s. Subprotocol and extensions are unknown; "
			"compressed messages are measured, not inflated.",
			(unsigned long long)l->resync_skipped,
			(unsigned long long)(l->msgs[0].text + l->msgs[0].binary),
			(unsigned long long)(l->msgs[1].text + l->msgs[1].binary),
			closed);
		return;
	}
	if (l->midstream && !l->any_http) {
		explain(l, V_INCOMPLETE,
			"The capture began in the middle of this connection; its "
			"start (and any handshake) was not captured.");
		return;
	}
	if (l->http_errors && !l->any_http) {
		const char *why = "";
		for (unsigned i = 0; i < l->n_notes; i++)
			if (l->notes[i].level == NOTE_ERROR) {
				why = l->notes[i].text;
				break;
			}
		explain(l, V_NOT_WEBSOCKET,
			"The connection began like HTTP but its head could not be "
			"parsed, so no WebSocket handshake was seen: %s", why);
		return;
	}
	if (l->via == VIA_CONNECT)
		explain(l, V_NOT_WEBSOCKET,
			"The tunnel to %s carried HTTP without a WebSocket "
			"Upgrade (%llu request(s)).", l->target,
			(unsigned long long)l->http_requests);
	else
		explain(l, V_NOT_WEBSOCKET,
			"Plain HTTP%s: %llu request(s), %llu response(s), no "
			"WebSocket Upgrade%s",
			l->via == VIA_FORWARD ? " through a forward proxy" : "",
			(unsigned long long)l->http_requests,
			(unsigned long long)l->http_responses,
			l->last_status ? "." : "; no response was captured.");
}
