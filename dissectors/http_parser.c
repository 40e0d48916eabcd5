/* http_parser.c - streaming push parser for HTTP/1.x message heads
 * (RFC 9112, RFC 9110), bodies framed per RFC 9112 §6.3 and passed on in
 * pieces.
 *
 * One byte-state machine.  Runs of ordinary bytes (method, target, field
 * names and values, reason, body) are scanned in a tight loop and handed
 * out as one span per run per feed, pointing into the caller's bytes.
 *
 * Choices the header leaves open (documented here once):
 *  - HTTP_EV_STATUS is emitted once, after the third digit; its span
 *    points at a 3-byte copy inside the parser (p->tok), since the digits
 *    may have arrived in different feeds.  ev->offset is that of the
 *    first digit.
 *  - Whitespace inside a field value is held back in ows_buf until the
 *    next byte shows whether it is trailing (dropped) or inner (kept).
 *    Held whitespace that crossed a feed boundary is emitted from ows_buf
 *    (parser memory, ev->offset still the stream offset).  A whitespace
 *    run longer than sizeof ows_buf (64) cannot be held: it is emitted as
 *    value bytes even when it turns out to be trailing.  That rule only
 *    depends on the run's length, so it gives the same events however
 *    the input is split.
 *  - obs-fold (RFC 9112 §5.2) is replaced by one SP (also emitted from
 *    ows_buf); the continuation line's leading whitespace is dropped.
 *  - Trailer fields of a chunked body are reported as FIELD_NAME /
 *    FIELD_VALUE / FIELD_DONE after the BODY events and before
 *    MESSAGE_DONE; they never change framing results.  The trailer
 *    section has the same HTTP_MAX_HEAD cap ("head_too_large").
 *  - HTTP_NEXT_STOP: MESSAGE_DONE is emitted (the message ends with its
 *    head), then the parser stops.  A 101 response, or a 2xx to CONNECT,
 *    stops the parser when the callback returns DEFAULT or STOP; NO_BODY
 *    is taken as the caller's word that HTTP continues on the connection.
 *  - A CONNECT or Upgrade *request* does not stop the parser by itself
 *    (whether the tunnel opens depends on the response): the owner
 *    returns HTTP_NEXT_STOP from HEADERS_DONE when it wants to hold the
 *    bytes that follow, and calls http_resume() if the answer was a
 *    refusal.
 *  - Empty lines before a start-line are skipped for responses too (same
 *    note "leading_crlf").
 *  - Notes "bare_lf" and "leading_crlf" are reported once per message,
 *    "ws_before_colon" and "obs_fold" once per field line concerned.
 *  - Extra error code "bad_transfer_encoding": a request whose
 *    Transfer-Encoding does not end in chunked (RFC 9112 §6.3 point 4).
 *  - Events without a span (MESSAGE_BEGIN, FIELD_DONE, HEADERS_DONE,
 *    MESSAGE_DONE, NOTE, ERROR) have at == NULL.  Their offsets:
 *    MESSAGE_BEGIN the first byte of the message; FIELD_DONE the first
 *    byte after the field line (after any obs-fold continuation);
 *    HEADERS_DONE and MESSAGE_DONE the first byte after the head/message;
 *    NOTE and ERROR the offending byte.
 *  - The request-target must be visible ASCII (0x21-0x7e); origin-form
 *    is not checked further.  Bytes >= 0x80 are an error ("bad_target").
 */
#include "http_parser.h"

#include <string.h>

/* Internal states.  Everything up to S_HEAD_END_LF is part of a head (or
 * trailer section) and counts toward HTTP_MAX_HEAD. */
enum {
	S_START = 0,     /* before a message; empty lines skipped */
	S_START_LF,      /* CR of an empty line seen, LF expected */
	S_METHOD,
	S_TARGET,
	S_REQ_VERSION,   /* "HTTP/1.x" then CRLF */
	S_RES_VERSION,   /* "HTTP/1.x" then SP */
	S_STATUS,        /* 3 digits */
	S_STATUS_END,    /* SP, or end of line (reason absent) */
	S_REASON,
	S_LINE_LF,       /* CR seen at the end of a line, LF expected */
	S_FIELD_START,   /* start of a field line or of the empty line */
	S_NAME,
	S_NAME_WS,       /* whitespace between field name and colon */
	S_VALUE_LWS,     /* leading OWS (also after an obs-fold) */
	S_VALUE,
	S_HEAD_END_LF,   /* CR of the final empty line seen */
	S_BODY_CL,
	S_BODY_CLOSE,
	S_CHUNK_SIZE,
	S_CHUNK_EXT,
	S_CHUNK_SIZE_LF,
	S_CHUNK_DATA,
	S_CHUNK_DATA_CR,
	S_CHUNK_DATA_LF,
};

/* Private flags (p->flags). */
#define F_FIELD_OPEN     0x0001u /* a field line ended; FIELD_DONE waits
                                    to see whether an obs-fold follows */
#define F_VALUE_STARTED  0x0002u /* the value has had a non-OWS byte */
#define F_SPILLED        0x0004u /* whitespace run too long to hold */
#define F_TRAILER        0x0008u /* parsing the trailer section */
#define F_TE             0x0010u /* Transfer-Encoding seen */
#define F_TOK_END        0x0020u /* list element: whitespace after token */
#define F_TOK_BAD        0x0040u /* list element: not a bare token */
#define F_LEADING        0x0080u /* empty lines before this start-line */
#define F_NOTED_LF       0x0100u /* bare_lf already noted this message */
#define F_NOTED_CTL      0x0200u /* ctl_in_value already noted */

/* Field names that matter for framing, matched case-insensitively
 * (RFC 9110 §5.1: field names are case-insensitive) as they arrive. */
enum { FID_NONE, FID_CL, FID_TE, FID_CONN, FID_UPGRADE };
static const char *const fnames[] = {
	"content-length", "transfer-encoding", "connection", "upgrade",
};
#define NFNAMES (sizeof fnames / sizeof fnames[0])
/* Their lengths, so the per-byte narrowing does not call strlen. */
static const uint8_t fname_len[] = { 14, 17, 10, 7 };
_Static_assert(sizeof fname_len == NFNAMES, "a length for each name");

enum {
	E_METHOD, E_TARGET, E_VERSION, E_STATUS, E_NAME, E_VALUE, E_TOO_LARGE,
	E_CL, E_CHUNK, E_TE, E_TRUNCATED,
};

struct code_text {
	const char *code;
	const char *text;
};

static const struct code_text errs[] = {
	[E_METHOD] = {"bad_method",
		"RFC 9112 §3.1: the method is a token (tchar only) followed by "
		"one SP."},
	[E_TARGET] = {"bad_target",
		"RFC 9112 §3.2: the request-target is origin-form, absolute-form, "
		"authority-form (host:port, CONNECT only) or \"*\" (OPTIONS "
		"only), in visible ASCII."},
	[E_VERSION] = {"bad_version",
		"RFC 9112 §2.3: HTTP-version is the case-sensitive \"HTTP/\" "
		"DIGIT \".\" DIGIT; this parser reads HTTP/1.x only."},
	[E_STATUS] = {"bad_status",
		"RFC 9112 §4: status-line = HTTP-version SP 3DIGIT SP "
		"reason-phrase, the code in 100..599 (RFC 9110 §15), the reason "
		"free of control characters."},
	[E_NAME] = {"bad_field_name",
		"RFC 9112 §5: a field line is a token (tchar only) followed by "
		"\":\"; a line starting with whitespace right after the "
		"start-line is invalid (RFC 9112 §2.2)."},
	[E_VALUE] = {"bad_field_value",
		"RFC 9110 §5.5: a field value holds no CR, LF or NUL and no other "
		"control character except HTAB."},
	[E_TOO_LARGE] = {"head_too_large",
		"The head (or trailer section) is longer than HTTP_MAX_HEAD; "
		"RFC 9112 §2.3 lets a recipient refuse an over-long head."},
	[E_CL] = {"bad_content_length",
		"RFC 9110 §8.6: Content-Length is 1*DIGIT; differing values, or "
		"one too large to represent, make the framing invalid (RFC 9112 "
		"§6.3 point 5)."},
	[E_CHUNK] = {"bad_chunk",
		"RFC 9112 §7.1: a chunk is chunk-size (hex) [chunk-ext] CRLF "
		"chunk-data CRLF; the size must not overflow."},
	[E_TE] = {"bad_transfer_encoding",
		"RFC 9112 §6.3 point 4: a request whose Transfer-Encoding does "
		"not end in chunked has no reliable length; a server MUST answer "
		"400 and close."},
	[E_TRUNCATED] = {"truncated",
		"The stream ended inside a head or inside a body whose length was "
		"known (RFC 9112 §8: incomplete message)."},
};

enum { N_WS_COLON, N_BARE_LF, N_OBS_FOLD, N_LEADING, N_TE_CL, N_CTL };

static const struct code_text notes[] = {
	[N_WS_COLON] = {"ws_before_colon",
		"RFC 9112 §5.1: no whitespace is allowed between field name and "
		"colon; a server MUST reject such a request with 400 and a proxy "
		"MUST remove the whitespace before forwarding."},
	[N_BARE_LF] = {"bare_lf",
		"RFC 9112 §2.2: a line ended with LF alone; a recipient MAY "
		"accept a single LF as a line terminator."},
	[N_OBS_FOLD] = {"obs_fold",
		"RFC 9112 §5.2: obsolete line folding; a recipient MAY replace "
		"each obs-fold with SP (a server MUST otherwise reject it)."},
	[N_LEADING] = {"leading_crlf",
		"RFC 9112 §2.2: empty lines before the start-line; a server "
		"SHOULD ignore at least one empty line received before it."},
	[N_TE_CL] = {"te_and_cl",
		"RFC 9112 §6.3 point 3: Transfer-Encoding and Content-Length both "
		"sent; Transfer-Encoding wins, such a request ought to be "
		"handled as an error and the connection closed after it."},
	[N_CTL] = {"ctl_in_value",
		"RFC 9110 §5.5: a field value holds a control character (other "
		"than HTAB); such values are invalid, but a recipient MAY retain "
		"them for robustness, as this one does."},
};

/* tchar (RFC 9110 §5.6.2): "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
 * "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA. */
static const uint8_t tchar_tab[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static bool is_tchar(uint8_t c)
{
	return tchar_tab[c] != 0;
}

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Stream offset of a byte of the current feed. */
static uint64_t off_of(const struct http_parser *p, const uint8_t *at)
{
	return p->feed_off + (uint64_t)(at - p->feed_data);
}

static int emit_ev(struct http_parser *p, enum http_ev type,
		   const uint8_t *at, size_t len, uint64_t off)
{
	struct http_event ev;

	if (!p->cb)
		return HTTP_NEXT_DEFAULT;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.at = at;
	ev.len = len;
	ev.offset = off;
	if (type == HTTP_EV_STATUS)
		ev.num = p->status;
	return p->cb(p->user, &ev);
}

/* A span of the caller's bytes [a, b); empty spans are not reported. */
static void emit_span(struct http_parser *p, enum http_ev type,
		      const uint8_t *a, const uint8_t *b)
{
	if (b > a)
		emit_ev(p, type, a, (size_t)(b - a), off_of(p, a));
}

static void emit_coded(struct http_parser *p, enum http_ev type,
		       const struct code_text *ct, uint64_t off)
{
	struct http_event ev;

	if (!p->cb)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.offset = off;
	ev.code = ct->code;
	ev.text = ct->text;
	p->cb(p->user, &ev);
}

static void note(struct http_parser *p, int n, uint64_t off)
{
	emit_coded(p, HTTP_EV_NOTE, &notes[n], off);
}

/* Control characters other than NUL, CR, LF and HTAB, which RFC 9110
 * §5.5 lets a recipient keep in a field value for robustness. */
static bool value_ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != 0) ||
	       c == 0x7f;
}

static void note_ctl(struct http_parser *p, const uint8_t *at)
{
	if (p->flags & F_NOTED_CTL)
		return;
	p->flags |= F_NOTED_CTL;
	note(p, N_CTL, off_of(p, at));
}

static void note_bare_lf(struct http_parser *p, const uint8_t *at)
{
	if (p->flags & F_NOTED_LF)
		return;
	p->flags |= F_NOTED_LF;
	note(p, N_BARE_LF, off_of(p, at));
}

/* Emits the held-back whitespace as a value piece. */
static void flush_ows(struct http_parser *p)
{
	if (p->ows_pending)
		emit_ev(p, HTTP_EV_FIELD_VALUE, p->ows_buf, p->ows_pending,
			p->ows_off);
	p->ows_pending = 0;
}

static void begin_message(struct http_parser *p, const uint8_t *at)
{
	bool leading = (p->flags & F_LEADING) != 0;

	p->status = 0;
	p->version_minor = 0;
	p->is_connect = false;
	p->is_head = false;
	p->chunked = false;
	p->has_length = false;
	p->content_length = 0;
	p->conn_close = false;
	p->conn_upgrade = false;
	p->has_upgrade = false;
	p->flags = 0;
	p->tok_len = 0;
	p->cnt = 0;
	p->ows_pending = 0;
	p->ows_run = 0;
	emit_ev(p, HTTP_EV_MESSAGE_BEGIN, NULL, 0, off_of(p, at));
	if (leading)
		note(p, N_LEADING, p->note_off);
	p->st = (p->kind == HTTP_KIND_REQUEST) ? S_METHOD : S_RES_VERSION;
}

static void message_done(struct http_parser *p, const uint8_t *at)
{
	p->messages++;
	p->st = S_START;
	p->head_len = 0;
	p->flags = 0;
	emit_ev(p, HTTP_EV_MESSAGE_DONE, NULL, 0, off_of(p, at));
}

/* --- field value semantics (only for the framing-relevant fields) --- */

static void list_elem_begin(struct http_parser *p)
{
	p->tok_len = 0;
	p->flags &= ~(F_TOK_END | F_TOK_BAD);
}

/* End of one element of a Connection or Transfer-Encoding list. */
static void list_elem_end(struct http_parser *p)
{
	bool bad = (p->flags & F_TOK_BAD) != 0;
	bool fits = p->tok_len <= sizeof p->tok;

	if (p->tok_len == 0 && !bad) {
		/* RFC 9110 §5.6.1: empty list elements are ignored */
		list_elem_begin(p);
		return;
	}
	if (p->field_id == FID_TE) {
		/* RFC 9112 §6.3 point 4: chunked only counts as the final
		 * coding; any later coding (or parameters) undoes it. */
		p->chunked = !bad && fits && p->tok_len == 7 &&
			     memcmp(p->tok, "chunked", 7) == 0;
	} else if (!bad && fits) {
		/* RFC 9112 §9.6 "close"; RFC 9110 §7.8 "upgrade" option */
		if (p->tok_len == 5 && memcmp(p->tok, "close", 5) == 0)
			p->conn_close = true;
		else if (p->tok_len == 7 && memcmp(p->tok, "upgrade", 7) == 0)
			p->conn_upgrade = true;
	}
	list_elem_begin(p);
}

static void list_byte(struct http_parser *p, uint8_t c)
{
	if (c == ',') {
		list_elem_end(p);
	} else if (is_ws(c)) {
		if (p->tok_len)
			p->flags |= F_TOK_END;
	} else if (is_tchar(c) && !(p->flags & (F_TOK_END | F_TOK_BAD))) {
		if (p->tok_len < sizeof p->tok)
			p->tok[p->tok_len] = lower(c);
		p->tok_len++;
	} else {
		/* parameters (";q=1"), quoted strings or two words: not a
		 * bare token; skip to the next comma */
		p->flags |= F_TOK_BAD;
	}
}

/* Content-Length element end: RFC 9110 §8.6 allows a list of identical
 * values ("42, 42"); differing values are an unrecoverable error. */
static bool cl_elem_end(struct http_parser *p)
{
	if (p->has_length && p->content_length != p->acc)
		return false;
	p->has_length = true;
	p->content_length = p->acc;
	p->acc = 0;
	p->digits = 0;
	return true;
}

/* digits: 0 before an element, 1 in its digits, 2 whitespace after. */
static bool cl_byte(struct http_parser *p, uint8_t c)
{
	if (is_digit(c)) {
		uint64_t d = (uint64_t)(c - '0');

		if (p->digits == 2)
			return false;
		/* the value must fit: acc * 10 + d <= UINT64_MAX */
		if (p->acc > (UINT64_MAX - d) / 10)
			return false;
		p->acc = p->acc * 10 + d;
		p->digits = 1;
		return true;
	}
	if (is_ws(c)) {
		if (p->digits == 1)
			p->digits = 2;
		return true;
	}
	if (c == ',' && p->digits != 0)
		return cl_elem_end(p);
	return false;
}

/* One byte of a value after its leading OWS.  Returns false on error. */
static bool sem_byte(struct http_parser *p, uint8_t c)
{
	switch (p->field_id) {
	case FID_CL:
		return cl_byte(p, c);
	case FID_TE:
	case FID_CONN:
		list_byte(p, c);
		return true;
	default:
		return true;
	}
}

static void sem_begin(struct http_parser *p)
{
	p->acc = 0;
	p->digits = 0;
	list_elem_begin(p);
	if (p->field_id == FID_UPGRADE)
		p->has_upgrade = true;
	if (p->field_id == FID_TE)
		p->flags |= F_TE;
}

static bool sem_end(struct http_parser *p)
{
	switch (p->field_id) {
	case FID_CL:
		/* an empty value or a trailing comma is not 1*DIGIT */
		if (p->digits == 0)
			return false;
		return cl_elem_end(p);
	case FID_TE:
	case FID_CONN:
		list_elem_end(p);
		return true;
	default:
		return true;
	}
}

/* Field name complete: which framing field is it? */
static void name_end(struct http_parser *p)
{
	uint32_t id = FID_NONE;

	for (uint32_t i = 0; i < NFNAMES; i++) {
		if ((p->field_id & (1u << i)) && fname_len[i] == p->cnt)
			id = i + 1;
	}
	p->field_id = id;
	p->flags |= F_FIELD_OPEN;
	p->flags &= ~(F_VALUE_STARTED | F_SPILLED);
	p->ows_pending = 0;
	p->ows_run = 0;
	sem_begin(p);
	p->st = S_VALUE_LWS;
}

/* Candidate narrowing: p->field_id holds a bit per name still matching. */
static void name_byte(struct http_parser *p, uint8_t c)
{
	uint8_t l = lower(c);

	for (uint32_t i = 0; i < NFNAMES; i++) {
		if (!(p->field_id & (1u << i)))
			continue;
		if (p->cnt >= fname_len[i] ||
		    (uint8_t)fnames[i][p->cnt] != l)
			p->field_id &= ~(1u << i);
	}
	p->cnt++;
}

/* --- request-target forms (RFC 9112 §3.2) --- */

enum { T_NONE, T_ORIGIN, T_ASTERISK, T_SCHEME, T_ABSOLUTE, T_AUTHORITY };

static void port_byte(struct http_parser *p, uint8_t c)
{
	if (c == ':') {
		p->flags |= F_TOK_END; /* reused: "after a colon" */
		p->port_digits = 0;
	} else if (is_digit(c) && (p->flags & F_TOK_END)) {
		if (p->port_digits < UINT16_MAX)
			p->port_digits++;
	} else {
		p->flags &= ~F_TOK_END;
	}
}

static bool target_byte(struct http_parser *p, uint8_t c)
{
	switch (p->tform) {
	case T_NONE:
		if (p->is_connect) {
			/* §3.2.3: CONNECT uses authority-form only */
			p->tform = T_AUTHORITY;
			p->flags &= ~F_TOK_END;
			p->port_digits = 0;
			return target_byte(p, c);
		}
		if (c == '/') {
			p->tform = T_ORIGIN;
		} else if (c == '*') {
			/* §3.2.4: asterisk-form is only for OPTIONS */
			if (p->tok_len != 7 || memcmp(p->tok, "OPTIONS", 7) != 0)
				return false;
			p->tform = T_ASTERISK;
		} else if (is_alpha(c)) {
			p->tform = T_SCHEME; /* §3.2.2 absolute-URI */
		} else {
			return false;
		}
		return true;
	case T_ORIGIN:
	case T_ABSOLUTE:
		return true;
	case T_ASTERISK:
		return false;
	case T_SCHEME:
		/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-"
		 * / "." ) followed by ":" */
		if (c == ':')
			p->tform = T_ABSOLUTE;
		else if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' &&
			 c != '.')
			return false;
		return true;
	case T_AUTHORITY:
		/* authority-form = uri-host ":" port; no path, query,
		 * fragment or userinfo */
		if (c == '/' || c == '?' || c == '#' || c == '@')
			return false;
		port_byte(p, c);
		return true;
	default:
		return false;
	}
}

static bool target_end(struct http_parser *p)
{
	if (p->cnt == 0 || p->tform == T_SCHEME)
		return false;
	if (p->tform == T_AUTHORITY)
		return (p->flags & F_TOK_END) && p->port_digits > 0;
	return true;
}

/* --- head end and framing (RFC 9112 §6.3) --- */

/* pos is the first byte after the head.  Returns pos; may stop/fail. */
static const uint8_t *head_end(struct http_parser *p, const uint8_t *pos)
{
	int r;
	bool tunnel;

	p->head_len = 0;
	if (p->flags & F_TRAILER) {
		message_done(p, pos);
		return pos;
	}
	if (p->kind == HTTP_KIND_REQUEST && (p->flags & F_TE) && !p->chunked) {
		p->pstate = HTTP_FAILED;
		emit_coded(p, HTTP_EV_ERROR, &errs[E_TE], off_of(p, pos));
		return pos;
	}
	if ((p->flags & F_TE) && p->has_length)
		note(p, N_TE_CL, off_of(p, pos));

	r = emit_ev(p, HTTP_EV_HEADERS_DONE, NULL, 0, off_of(p, pos));
	if (r != HTTP_NEXT_NO_BODY && r != HTTP_NEXT_STOP)
		r = HTTP_NEXT_DEFAULT;

	if (p->kind == HTTP_KIND_RESPONSE) {
		/* §6.3 point 2: a 2xx to CONNECT switches to tunnel mode right
		 * after the header section; a 101 likewise hands the
		 * connection to the upgraded protocol (RFC 9110 §15.2.2). */
		tunnel = p->status == 101 ||
			 (p->request_was_connect && p->status / 100 == 2);
		if (tunnel && r != HTTP_NEXT_NO_BODY)
			r = HTTP_NEXT_STOP;
	}
	if (r == HTTP_NEXT_STOP) {
		message_done(p, pos);
		p->pstate = HTTP_STOPPED;
		return pos;
	}
	if (r == HTTP_NEXT_NO_BODY) {
		message_done(p, pos);
		return pos;
	}
	if (p->kind == HTTP_KIND_RESPONSE) {
		/* §6.3 point 1: responses to HEAD, 1xx, 204 and 304 end with
		 * the head whatever their fields say.  After a 1xx (not 101)
		 * the final response follows on the same connection. */
		if (p->request_was_head || p->status / 100 == 1 ||
		    p->status == 204 || p->status == 304) {
			message_done(p, pos);
			return pos;
		}
	}
	if (p->chunked) {
		/* §6.3 point 3/4: chunked as final coding frames the body,
		 * overriding any Content-Length */
		p->body_left = 0;
		p->digits = 0;
		p->st = S_CHUNK_SIZE;
		return pos;
	}
	if (p->flags & F_TE) {
		/* §6.3 point 4: a response whose Transfer-Encoding does not
		 * end in chunked is delimited by the close */
		p->st = S_BODY_CLOSE;
		return pos;
	}
	if (p->has_length) {
		/* §6.3 point 6 */
		if (p->content_length == 0) {
			message_done(p, pos);
			return pos;
		}
		p->body_left = p->content_length;
		p->st = S_BODY_CL;
		return pos;
	}
	if (p->kind == HTTP_KIND_REQUEST) {
		/* §6.3 point 7: a request with neither has no body */
		message_done(p, pos);
		return pos;
	}
	/* §6.3 point 8: read the response until the connection closes */
	p->st = S_BODY_CLOSE;
	return pos;
}

static void chunk_size_done(struct http_parser *p)
{
	if (p->body_left == 0) {
		/* last-chunk: the trailer section follows (§7.1.2) */
		p->flags |= F_TRAILER;
		p->flags &= ~F_FIELD_OPEN;
		p->head_len = 0;
		p->st = S_FIELD_START;
	} else {
		p->st = S_CHUNK_DATA;
	}
}

static bool in_head(int st)
{
	return st <= S_HEAD_END_LF;
}

/* Processes bytes [pos, lim) in the current phase (head or body) and
 * returns how far it got.  It returns early when a head ends, a message
 * ends, the parser stops, or fails (p->pstate). */
static const uint8_t *step(struct http_parser *p, const uint8_t *pos,
			   const uint8_t *lim)
{
	const uint8_t *mark = pos; /* start of the span not yet reported */
	const uint8_t *wsp = NULL; /* S_VALUE: start of whitespace held */
	const uint8_t *start = pos;
	bool head = in_head(p->st);
	uint64_t err_off = UINT64_MAX; /* error offset if not pos */
	int err = -1;
	uint8_t c;

	while (pos < lim) {
		c = *pos;
		switch (p->st) {
		case S_START:
			if (c == '\r' || c == '\n') {
				/* §2.2: ignore empty lines before a start-line */
				if (!(p->flags & F_LEADING)) {
					p->flags |= F_LEADING;
					p->note_off = off_of(p, pos);
				}
				if (c == '\r')
					p->st = S_START_LF;
				pos++;
				break;
			}
			begin_message(p, pos);
			mark = pos;
			break;
		case S_START_LF:
			if (c != '\n') {
				err = p->kind == HTTP_KIND_REQUEST ? E_METHOD
								   : E_VERSION;
				goto out;
			}
			p->st = S_START;
			pos++;
			break;
		case S_METHOD:
			while (pos < lim && is_tchar(*pos)) {
				if (p->tok_len < sizeof p->tok)
					p->tok[p->tok_len] = *pos;
				p->tok_len++;
				pos++;
			}
			if (pos == lim)
				goto out;
			if (*pos != ' ' || p->tok_len == 0) {
				err = E_METHOD;
				goto out;
			}
			emit_span(p, HTTP_EV_METHOD, mark, pos);
			/* methods are case-sensitive (RFC 9110 §9.1) */
			p->is_connect = p->tok_len == 7 &&
					memcmp(p->tok, "CONNECT", 7) == 0;
			p->is_head = p->tok_len == 4 &&
				     memcmp(p->tok, "HEAD", 4) == 0;
			p->st = S_TARGET;
			p->tform = T_NONE;
			p->cnt = 0;
			mark = ++pos;
			break;
		case S_TARGET:
			if (p->tform == T_ORIGIN) {
				/* fast path: visible ASCII */
				while (pos < lim && *pos > 0x20 && *pos < 0x7f)
					pos++;
				p->cnt += (uint32_t)(pos - mark);
			} else {
				while (pos < lim && *pos > 0x20 && *pos < 0x7f) {
					if (!target_byte(p, *pos)) {
						err = E_TARGET;
						goto out;
					}
					p->cnt++;
					pos++;
				}
			}
			if (pos == lim)
				goto out;
			c = *pos;
			if ((c == '\r' || c == '\n') && p->cnt > 0) {
				/* HTTP/0.9 style line: no HTTP-version */
				err = E_VERSION;
				goto out;
			}
			if (c != ' ' || !target_end(p)) {
				err = E_TARGET;
				goto out;
			}
			emit_span(p, HTTP_EV_TARGET, mark, pos);
			p->st = S_REQ_VERSION;
			p->cnt = 0;
			mark = ++pos;
			break;
		case S_REQ_VERSION:
		case S_RES_VERSION:
			/* §2.3: "HTTP/" DIGIT "." DIGIT, case-sensitive; we
			 * take major version 1 only */
			while (pos < lim && p->cnt < 8) {
				c = *pos;
				if (p->cnt < 7) {
					if (c != (uint8_t)"HTTP/1."[p->cnt]) {
						err = E_VERSION;
						goto out;
					}
				} else if (is_digit(c)) {
					p->version_minor = c - '0';
				} else {
					err = E_VERSION;
					goto out;
				}
				p->cnt++;
				pos++;
			}
			if (pos == lim)
				goto out;
			emit_span(p, HTTP_EV_VERSION, mark, pos);
			mark = pos; /* reported: not again before an error */
			c = *pos;
			if (p->st == S_RES_VERSION) {
				if (c != ' ') {
					err = E_VERSION;
					goto out;
				}
				p->st = S_STATUS;
				p->cnt = 0;
				p->status = 0;
			} else if (c == '\r') {
				p->st = S_LINE_LF;
				p->lf_err = E_VERSION;
			} else if (c == '\n') {
				note_bare_lf(p, pos);
				p->st = S_FIELD_START;
			} else {
				err = E_VERSION;
				goto out;
			}
			pos++;
			break;
		case S_STATUS:
			if (!is_digit(c)) {
				err = E_STATUS;
				goto out;
			}
			if (p->cnt == 0)
				p->note_off = off_of(p, pos);
			p->tok[p->cnt++] = c;
			p->status = p->status * 10 + (c - '0');
			pos++;
			if (p->cnt == 3) {
				/* RFC 9110 §15: codes are 100..599 */
				if (p->status < 100 || p->status > 599) {
					err = E_STATUS;
					err_off = p->note_off;
					goto out;
				}
				emit_ev(p, HTTP_EV_STATUS, p->tok, 3, p->note_off);
				p->st = S_STATUS_END;
			}
			break;
		case S_STATUS_END:
			if (c == ' ') {
				p->st = S_REASON;
				mark = ++pos;
			} else if (c == '\r') {
				/* reason phrase absent: accepted, as clients
				 * SHOULD ignore the reason (RFC 9112 §4) */
				p->st = S_LINE_LF;
				p->lf_err = E_STATUS;
				pos++;
			} else if (c == '\n') {
				note_bare_lf(p, pos);
				p->st = S_FIELD_START;
				pos++;
			} else {
				err = E_STATUS;
				goto out;
			}
			break;
		case S_REASON:
			/* reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) */
			while (pos < lim && (*pos == '\t' ||
					     (*pos >= 0x20 && *pos != 0x7f)))
				pos++;
			if (pos == lim)
				goto out;
			emit_span(p, HTTP_EV_REASON, mark, pos);
			mark = pos;
			if (*pos == '\r') {
				p->st = S_LINE_LF;
				p->lf_err = E_STATUS;
			} else if (*pos == '\n') {
				note_bare_lf(p, pos);
				p->st = S_FIELD_START;
			} else {
				err = E_STATUS;
				goto out;
			}
			pos++;
			break;
		case S_LINE_LF:
			/* §2.2: a bare CR is invalid here */
			if (c != '\n') {
				err = p->lf_err;
				goto out;
			}
			p->st = S_FIELD_START;
			pos++;
			break;
		case S_FIELD_START:
			if (p->flags & F_FIELD_OPEN) {
				if (is_ws(c)) {
					/* §5.2 obs-fold: join with one SP */
					note(p, N_OBS_FOLD, off_of(p, pos));
					if (p->flags & F_VALUE_STARTED) {
						p->ows_buf[0] = ' ';
						p->ows_pending = 1;
						p->ows_run = 1;
						p->ows_off = off_of(p, pos);
						if (!sem_byte(p, ' ')) {
							err = p->field_id == FID_CL
								? E_CL : E_VALUE;
							goto out;
						}
					}
					p->st = S_VALUE_LWS;
					pos++;
					break;
				}
				p->flags &= ~F_FIELD_OPEN;
				p->ows_pending = 0;
				p->ows_run = 0;
				if (!sem_end(p)) {
					err = E_CL;
					goto out;
				}
				emit_ev(p, HTTP_EV_FIELD_DONE, NULL, 0,
					off_of(p, pos));
			}
			if (c == '\r') {
				p->st = S_HEAD_END_LF;
				pos++;
			} else if (c == '\n') {
				note_bare_lf(p, pos);
				pos++;
				p->head_len += (uint32_t)(pos - start);
				return head_end(p, pos);
			} else if (is_tchar(c)) {
				p->field_id = (p->flags & F_TRAILER)
						      ? 0 : (1u << NFNAMES) - 1;
				p->cnt = 0;
				p->st = S_NAME;
				mark = pos;
			} else {
				/* includes whitespace before the first field
				 * line (§2.2) and an empty name */
				err = E_NAME;
				goto out;
			}
			break;
		case S_NAME:
			while (pos < lim && is_tchar(*pos)) {
				if (p->field_id)
					name_byte(p, *pos);
				else
					p->cnt++;
				pos++;
			}
			if (pos == lim)
				goto out;
			emit_span(p, HTTP_EV_FIELD_NAME, mark, pos);
			mark = pos;
			c = *pos;
			if (c == ':') {
				name_end(p);
			} else if (is_ws(c)) {
				p->note_off = off_of(p, pos);
				p->st = S_NAME_WS;
			} else {
				err = E_NAME;
				goto out;
			}
			pos++;
			break;
		case S_NAME_WS:
			if (is_ws(c)) {
				pos++;
			} else if (c == ':') {
				/* §5.1: whitespace before the colon.  Accepted
				 * (we are a passive observer) and reported: the
				 * whitespace is not part of the name. */
				note(p, N_WS_COLON, p->note_off);
				name_end(p);
				pos++;
			} else {
				err = E_NAME;
				goto out;
			}
			break;
		case S_VALUE_LWS:
			if (is_ws(c)) {
				pos++;
			} else if (c == '\r') {
				p->st = S_LINE_LF;
				p->lf_err = E_VALUE;
				pos++;
			} else if (c == '\n') {
				note_bare_lf(p, pos);
				p->st = S_FIELD_START;
				pos++;
			} else if ((c < 0x20 || c == 0x7f) && !value_ctl(c)) {
				err = E_VALUE;
				goto out;
			} else {
				if (value_ctl(c))
					note_ctl(p, pos);
				flush_ows(p); /* the SP of an obs-fold */
				p->ows_run = 0;
				p->flags |= F_VALUE_STARTED;
				p->flags &= ~F_SPILLED;
				p->st = S_VALUE;
				mark = pos;
				wsp = NULL;
			}
			break;
		case S_VALUE:
			/* Fast path: a run of VCHAR / obs-text while no
			 * whitespace is held and no framing field is read
			 * does nothing but advance (as the loop below). */
			if (!p->field_id && !p->ows_run) {
				const uint8_t *q = pos;
				while (q < lim && *q > 0x20 && *q != 0x7f)
					q++;
				if (q != pos) {
					p->flags &= ~F_SPILLED;
					pos = q;
				}
			}
			while (pos < lim) {
				c = *pos;
				if (is_ws(c)) {
					if (!(p->flags & F_SPILLED)) {
						if (!wsp)
							wsp = pos;
						if (++p->ows_run > sizeof p->ows_buf) {
							/* cannot hold more:
							 * the run becomes value */
							flush_ows(p);
							p->flags |= F_SPILLED;
							wsp = NULL;
						}
					}
				} else if ((c > 0x20 && c != 0x7f) ||
					   value_ctl(c)) {
					/* VCHAR / obs-text: held whitespace was
					 * inner whitespace */
					if (p->ows_run) {
						flush_ows(p);
						p->ows_run = 0;
						wsp = NULL;
					}
					p->flags &= ~F_SPILLED;
					if (value_ctl(c) &&
					    !(p->flags & F_NOTED_CTL)) {
						/* what precedes goes out first,
						 * so events do not depend on
						 * how the input was split */
						emit_span(p, HTTP_EV_FIELD_VALUE,
							  mark, pos);
						mark = pos;
						note_ctl(p, pos);
					}
				} else {
					break;
				}
				if (p->field_id && !sem_byte(p, c)) {
					err = p->field_id == FID_CL ? E_CL
								    : E_VALUE;
					goto out;
				}
				pos++;
			}
			if (pos == lim)
				goto out;
			c = *pos;
			if (c != '\r' && c != '\n') {
				err = E_VALUE;
				goto out;
			}
			/* end of line: held whitespace is trailing OWS */
			if (p->ows_run && !(p->flags & F_SPILLED))
				emit_span(p, HTTP_EV_FIELD_VALUE, mark,
					  wsp ? wsp : mark);
			else
				emit_span(p, HTTP_EV_FIELD_VALUE, mark, pos);
			p->ows_pending = 0;
			p->ows_run = 0;
			p->flags &= ~F_SPILLED;
			wsp = NULL;
			if (c == '\r') {
				p->st = S_LINE_LF;
				p->lf_err = E_VALUE;
			} else {
				note_bare_lf(p, pos);
				p->st = S_FIELD_START;
			}
			pos++;
			break;
		case S_HEAD_END_LF:
			if (c != '\n') {
				err = E_NAME;
				goto out;
			}
			pos++;
			p->head_len += (uint32_t)(pos - start);
			return head_end(p, pos);
		case S_BODY_CL:
		case S_CHUNK_DATA: {
			size_t n = (size_t)(lim - pos);

			if (n > p->body_left)
				n = (size_t)p->body_left;
			emit_span(p, HTTP_EV_BODY, pos, pos + n);
			pos += n;
			p->body_left -= n;
			if (p->body_left)
				break;
			if (p->st == S_BODY_CL) {
				message_done(p, pos);
				return pos;
			}
			p->st = S_CHUNK_DATA_CR;
			break;
		}
		case S_BODY_CLOSE:
			emit_span(p, HTTP_EV_BODY, pos, lim);
			pos = lim;
			break;
		case S_CHUNK_SIZE: {
			int v = -1;

			if (is_digit(c))
				v = c - '0';
			else if (c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v = c - 'A' + 10;
			if (v >= 0) {
				/* size * 16 + v must fit in 64 bits */
				if (p->body_left > (UINT64_MAX >> 4)) {
					err = E_CHUNK;
					goto out;
				}
				p->body_left = (p->body_left << 4) | (uint64_t)v;
				p->digits = 1;
				pos++;
				break;
			}
			if (!p->digits) {
				err = E_CHUNK;
				goto out;
			}
			if (c == ';' || is_ws(c)) {
				/* §7.1.1 chunk-ext (with BWS): skipped */
				p->st = S_CHUNK_EXT;
			} else if (c == '\r') {
				p->st = S_CHUNK_SIZE_LF;
			} else if (c == '\n') {
				note_bare_lf(p, pos);
				chunk_size_done(p);
				return pos + 1;
			} else {
				err = E_CHUNK;
				goto out;
			}
			pos++;
			break;
		}
		case S_CHUNK_EXT:
			while (pos < lim && *pos != '\r' && *pos != '\n' &&
			       (*pos >= 0x20 || *pos == '\t') && *pos != 0x7f)
				pos++;
			if (pos == lim)
				goto out;
			if (*pos == '\r') {
				p->st = S_CHUNK_SIZE_LF;
				pos++;
			} else if (*pos == '\n') {
				note_bare_lf(p, pos);
				chunk_size_done(p);
				return pos + 1;
			} else {
				err = E_CHUNK;
				goto out;
			}
			break;
		case S_CHUNK_SIZE_LF:
			if (c != '\n') {
				err = E_CHUNK;
				goto out;
			}
			chunk_size_done(p);
			return pos + 1;
		case S_CHUNK_DATA_CR:
			/* §7.1: chunk-data is followed by CRLF */
			if (c == '\r') {
				p->st = S_CHUNK_DATA_LF;
			} else if (c == '\n') {
				note_bare_lf(p, pos);
				p->st = S_CHUNK_SIZE;
				p->body_left = 0;
				p->digits = 0;
			} else {
				err = E_CHUNK;
				goto out;
			}
			pos++;
			break;
		case S_CHUNK_DATA_LF:
			if (c != '\n') {
				err = E_CHUNK;
				goto out;
			}
			p->st = S_CHUNK_SIZE;
			p->body_left = 0;
			p->digits = 0;
			pos++;
			break;
		default:
			err = E_VERSION; /* unreachable: corrupt state */
			goto out;
		}
	}
out:
	if (head)
		p->head_len += (uint32_t)(pos - start);
	/* Report the run in progress (also before an error, so the events
	 * before the error do not depend on how the input was split). */
	switch (p->st) {
	case S_METHOD:
		emit_span(p, HTTP_EV_METHOD, mark, pos);
		break;
	case S_TARGET:
		emit_span(p, HTTP_EV_TARGET, mark, pos);
		break;
	case S_REQ_VERSION:
	case S_RES_VERSION:
		emit_span(p, HTTP_EV_VERSION, mark, pos);
		break;
	case S_REASON:
		emit_span(p, HTTP_EV_REASON, mark, pos);
		break;
	case S_NAME:
		emit_span(p, HTTP_EV_FIELD_NAME, mark, pos);
		break;
	case S_VALUE:
		if (p->ows_run && !(p->flags & F_SPILLED)) {
			/* hold the whitespace back: it may be trailing OWS.
			 * ows_pending + (pos - e) == ows_run <= sizeof
			 * ows_buf, so the copy fits. */
			const uint8_t *e = wsp ? wsp : mark;
			size_t n = (size_t)(pos - e);

			emit_span(p, HTTP_EV_FIELD_VALUE, mark, e);
			if (n > sizeof p->ows_buf - p->ows_pending)
				n = sizeof p->ows_buf - p->ows_pending;
			if (n && !p->ows_pending)
				p->ows_off = off_of(p, e);
			memcpy(p->ows_buf + p->ows_pending, e, n);
			p->ows_pending += (uint32_t)n;
		} else {
			emit_span(p, HTTP_EV_FIELD_VALUE, mark, pos);
		}
		break;
	default:
		break;
	}
	if (err >= 0) {
		p->pstate = HTTP_FAILED;
		emit_coded(p, HTTP_EV_ERROR, &errs[err],
			   err_off != UINT64_MAX ? err_off : off_of(p, pos));
	}
	return pos;

}

void http_init(struct http_parser *p, enum http_kind kind, http_cb cb,
	       void *user)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->cb = cb;
	p->user = user;
	p->pstate = HTTP_PARSING;
	p->st = S_START;
}

size_t http_feed(struct http_parser *p, const uint8_t *data, size_t len)
{
	const uint8_t *pos = data;
	const uint8_t *end = data + len;

	if (p->pstate != HTTP_PARSING || len == 0)
		return 0;
	p->feed_data = data;
	p->feed_off = p->offset;
	while (pos < end && p->pstate == HTTP_PARSING) {
		const uint8_t *lim = end;

		if (in_head(p->st)) {
			/* the head may not exceed HTTP_MAX_HEAD bytes: scan
			 * at most the room left, so the error lands on the
			 * first byte over the cap */
			size_t room = HTTP_MAX_HEAD - p->head_len;

			if (room == 0) {
				p->pstate = HTTP_FAILED;
				emit_coded(p, HTTP_EV_ERROR, &errs[E_TOO_LARGE],
					   off_of(p, pos));
				break;
			}
			if (room < (size_t)(end - pos))
				lim = pos + room;
		}
		pos = step(p, pos, lim);
	}
	p->offset = p->feed_off + (uint64_t)(pos - data);
	p->feed_data = NULL;
	return (size_t)(pos - data);
}

void http_finish(struct http_parser *p)
{
	if (p->pstate != HTTP_PARSING)
		return;
	if (p->st == S_START || p->st == S_START_LF)
		return; /* between messages: a clean end */
	if (p->st == S_BODY_CLOSE) {
		/* §6.3 point 8: the close delimits the body */
		p->messages++;
		p->st = S_START;
		p->head_len = 0;
		p->flags = 0;
		emit_ev(p, HTTP_EV_MESSAGE_DONE, NULL, 0, p->offset);
		return;
	}
	p->pstate = HTTP_FAILED;
	emit_coded(p, HTTP_EV_ERROR, &errs[E_TRUNCATED], p->offset);
}

void http_resume(struct http_parser *p)
{
	if (p->pstate != HTTP_STOPPED)
		return;
	p->pstate = HTTP_PARSING;
	p->st = S_START;
	p->head_len = 0;
	p->flags = 0;
}
