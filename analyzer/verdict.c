/* verdict.c - one verdict per leg, with a plain-English explanation that
 * cites the evidence (status line, header, packet number).
 *
 * The first failure along the stages decides: TCP, proxy answer, tunnel,
 * TLS, Upgrade answer, handshake checks, frames, close.
 */
#include "leg.h"

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
	vsnprintf(l->explanation, sizeof l->explanation, fmt, ap);
	va_end(ap);
}

static unsigned long long pkt(const struct leg *l, enum stage s)
{
	return (unsigned long long)l->stages[s].pkt;
}

/* How the connection ended, as a clause: "the server closed the
 * connection (FIN, packet 12)" or "the capture ended". */
static void end_clause(const struct leg *l, char *buf, size_t size)
{
	if (l->rst[0] || l->rst[1])
		snprintf(buf, size, "the %s reset the connection (RST, packet %llu)",
			 l->rst[1] ? "server" : "client",
			 (unsigned long long)l->rst_pkt);
	else if (l->fin[0] || l->fin[1])
		snprintf(buf, size, "%s closed the connection (FIN, packet %llu)",
			 l->fin[1] && !l->fin[0] ? "the server" :
			 l->fin[0] && !l->fin[1] ? "the client" : "each side",
			 pkt(l, ST_CLOSED));
	else
		snprintf(buf, size, "the capture ended (last packet %llu)",
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

static bool proxy_stage(struct leg *l, const char *ends)
{
	const char *t = l->target[0] ? l->target : "(no target)";
	int s = l->proxy_status;

	if (!l->stages[ST_PROXY_REQUEST].seen)
		return false;
	if (!l->stages[ST_PROXY_ANSWER].seen) {
		if (l->ended)
			explain(l, V_PROXY_NO_RESPONSE,
				"The client asked the proxy for %s (packet %llu) "
				"and got no answer; %s.",
				t, pkt(l, ST_PROXY_REQUEST), ends);
		else
			explain(l, V_PROXY_NO_RESPONSE,
				"The client asked the proxy for %s (packet %llu) "
				"and no answer was captured before %s; the proxy "
				"may be slow or dropping the request.",
				t, pkt(l, ST_PROXY_REQUEST), ends);
		return true;
	}
	if (l->via != VIA_CONNECT)
		return false;
	if (s == 407) {
		explain(l, V_PROXY_AUTH_REQUIRED,
			"The proxy demanded authentication for CONNECT %s: "
			"'%d %s' at packet %llu, Proxy-Authenticate: %s. %s",
			t, s, l->proxy_reason, pkt(l, ST_PROXY_ANSWER),
			l->proxy_auth[0] ? l->proxy_auth : "(none given)",
			l->proxy_authorization_sent ?
				"The client did send Proxy-Authorization: the "
				"credentials were refused." :
				"The client sent no Proxy-Authorization; configure "
				"the proxy credentials in the client.");
		return true;
	}
	if (s >= 400 && s < 500) {
		explain(l, V_PROXY_DENIED,
			"The proxy refused CONNECT %s with '%d %s' (packet %llu)%s%s%s; "
			"check the proxy's rules for this host and port.",
			t, s, l->proxy_reason, pkt(l, ST_PROXY_ANSWER),
			l->proxy_error_hdr[0] ? ", X-Squid-Error: " : "",
			l->proxy_error_hdr, l->proxy_error_hdr[0] ? "" : "");
		return true;
	}
	if (s >= 500) {
		explain(l, V_PROXY_ERROR,
			"The proxy could not open the tunnel to %s: '%d %s' "
			"(packet %llu)%s%s.",
			t, s, l->proxy_reason, pkt(l, ST_PROXY_ANSWER),
			l->proxy_error_hdr[0] ? "; the proxy says why in "
						"X-Squid-Error: " : "",
			l->proxy_error_hdr);
		return true;
	}
	if (s < 200 || s >= 300) {
		explain(l, V_PROXY_DENIED,
			"The proxy answered CONNECT %s with '%d %s' (packet "
			"%llu) instead of a 2xx, so no tunnel was opened.",
			t, s, l->proxy_reason, pkt(l, ST_PROXY_ANSWER));
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
	if (t->alert_clear) {
		explain(l, V_TLS_FAILED,
			"TLS %s%s%s failed: the %s sent a cleartext alert %u (%s) "
			"that ended the TLS handshake; %s.", where,
			t->sni[0] ? " to " : "", t->sni,
			t->alert[0] ? "client" : "server", t->alert_desc,
			tls_alert_name(t->alert_desc), ends);
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
	explain(l, V_TLS_ENCRYPTED,
		"TLS %s%s%s (%s) completed its handshake; what it carries, "
		"including any WebSocket, is encrypted. A TLS key log "
		"(SSLKEYLOGFILE) would let a decrypting tool see inside.",
		where, t->sni[0] ? " to " : "", t->sni, tls_version_name(t->version));
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
		explain(l, V_SUBPROTOCOL_MISMATCH,
			"The client offered subprotocols '%s' and the 101 "
			"(packet %llu) answered '%s'; a browser fails the "
			"connection when the answer is not one it offered.",
			w->offered_protocols, pkt(l, ST_OPEN),
			w->protocol[0] ? w->protocol : "(none)");
		return true;
	}
	if (w->extension_problem) {
		explain(l, V_EXTENSION_MISMATCH,
			"The 101 (packet %llu) accepted extensions '%s' but the "
			"client offered '%s' (RFC 6455 §4.1).",
			pkt(l, ST_OPEN), w->extensions, w->offered_extensions);
		return true;
	}
	return false;
}

static void open_stage(struct leg *l, const char *ends)
{
	const struct close_info *c = &l->close;
	char route[600];

	if (l->via == VIA_CONNECT)
		snprintf(route, sizeof route, "through the proxy's tunnel to %s",
			 l->target);
	else if (l->via == VIA_FORWARD)
		snprintf(route, sizeof route, "through the forward proxy to %s",
			 l->target);
	else
		snprintf(route, sizeof route, "to %s", l->server.text);

	if (l->protocol_errors) {
		explain(l, V_PROTOCOL_ERROR,
			"The WebSocket opened %s (101 at packet %llu) but %llu "
			"frame rule violation(s) followed; the first is in the "
			"notes.", route, pkt(l, ST_OPEN),
			(unsigned long long)l->protocol_errors);
		return;
	}
	if (l->deflate_errors) {
		explain(l, V_DEFLATE_ERROR,
			"The WebSocket opened %s but %llu compressed message(s) "
			"could not be inflated; see the notes.", route,
			(unsigned long long)l->deflate_errors);
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

void verdict_decide(struct leg *l)
{
	decide(l);
	if (l->gaps) {
		/* Whatever the stage, missing bytes change what the verdict
		 * can claim: say so where the user will read it. */
		size_t n = strlen(l->explanation);
		snprintf(l->explanation + n, sizeof l->explanation - n,
			 " The capture lacks %llu byte(s) of this connection "
			 "(%llu gap(s)); what followed the first gap was not "
			 "decoded.", (unsigned long long)l->gap_bytes,
			 (unsigned long long)l->gaps);
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
