/* session.c - names of the model's codes, and notes on legs. */
#include "session.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The verdict codes of ../shared/CONTRACT.md, in enum order. */
static const char *const verdict_codes[V_COUNT] = {
	"ok", "incomplete", "proxy_auth_required", "proxy_denied",
	"proxy_error", "proxy_no_response", "tunnel_closed",
	"handshake_rejected", "accept_mismatch", "subprotocol_mismatch",
	"extension_mismatch", "tls_failed", "tls_encrypted", "protocol_error",
	"deflate_error", "closed_abnormally", "not_websocket",
};

const char *verdict_code(enum verdict v)
{
	return (unsigned)v < V_COUNT ? verdict_codes[v] : "incomplete";
}

const char *via_name(enum via v)
{
	switch (v) {
	case VIA_CONNECT: return "connect";
	case VIA_FORWARD: return "forward";
	case VIA_REVERSE: return "reverse";
	default: return "direct";
	}
}

const char *stage_name(enum stage s)
{
	static const char *const names[ST_COUNT] = {
		"tcp", "proxy_request", "proxy_answer", "tunnel",
		"handshake", "open", "closing", "closed",
	};
	return (unsigned)s < ST_COUNT ? names[s] : "?";
}

const char *opcode_name(uint8_t op)
{
	switch (op) {
	case 0x1: return "text";
	case 0x2: return "binary";
	case 0x8: return "close";
	case 0x9: return "ping";
	case 0xA: return "pong";
	case 0x0: return "continuation";
	default: return "reserved";
	}
}

const char *note_level_name(enum note_level l)
{
	return l == NOTE_ERROR ? "error" : l == NOTE_WARN ? "warning" : "info";
}

void leg_note(struct leg *l, enum note_level level, const char *code,
	      const char *fmt, ...)
{
	va_list ap;

	if (l->n_notes >= LEG_MAX_NOTES) {
		l->notes_dropped++;
		return;
	}
	struct note *n = &l->notes[l->n_notes++];
	n->level = level;
	snprintf(n->code, sizeof n->code, "%s", code);
	va_start(ap, fmt);
	text_vformat(n->text, sizeof n->text, fmt, ap);
	va_end(ap);
}
