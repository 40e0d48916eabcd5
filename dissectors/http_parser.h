/* http_parser.h - streaming push parser for HTTP/1.x message heads
 * (RFC 9112), with bodies skipped by Content-Length, chunked coding or
 * connection close.
 *
 * Bytes in, events out.  http_feed() may be called with any split of the
 * input: one byte at a time or all at once gives the same events once
 * consecutive pieces of one element are joined (an element such as a
 * field value may arrive as several HTTP_EV_FIELD_VALUE pieces when the
 * input is split inside it).  Spans in events point into the caller's
 * bytes and are valid only during the callback: the parser never copies
 * or allocates for spans.
 *
 * Framing follows RFC 9112 §6.3: a response to HEAD, a 1xx (other than
 * 101), 204 or 304 has no body; a 2xx to CONNECT and a 101 end the HTTP
 * part of the stream (the parser stops and the rest belongs to the next
 * layer); Transfer-Encoding chunked wins over Content-Length; a response
 * with neither is delimited by the close (http_finish); a request with
 * neither has no body.
 */
#ifndef WSTAP_HTTP_PARSER_H
#define WSTAP_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_kind {
	HTTP_KIND_REQUEST,
	HTTP_KIND_RESPONSE,
};

enum http_ev {
	HTTP_EV_MESSAGE_BEGIN, /* first byte of a new message; ev->offset is
	                          that byte's stream offset (after any leading
	                          empty lines) */
	HTTP_EV_METHOD,        /* request: piece of the method token */
	HTTP_EV_TARGET,        /* request: piece of the request-target */
	HTTP_EV_VERSION,       /* piece of "HTTP/1.1" (request or response) */
	HTTP_EV_STATUS,        /* response: the 3 digits; ev->num is the code */
	HTTP_EV_REASON,        /* response: piece of the reason phrase */
	HTTP_EV_FIELD_NAME,    /* piece of a field name (as sent, case kept) */
	HTTP_EV_FIELD_VALUE,   /* piece of a field value: leading OWS removed;
	                          trailing OWS is removed too (the parser holds
	                          back whitespace until it sees what follows) */
	HTTP_EV_FIELD_DONE,    /* end of one field line */
	HTTP_EV_HEADERS_DONE,  /* end of the head; ev->offset is the stream
	                          offset just past the head's final LF (so
	                          [MESSAGE_BEGIN offset, this) is the whole
	                          head); the callback's return value decides
	                          what follows (enum http_next) */
	HTTP_EV_BODY,          /* piece of body data (chunk framing removed) */
	HTTP_EV_MESSAGE_DONE,  /* message complete, the next may begin */
	HTTP_EV_NOTE,          /* an accepted oddity: ev->code, ev->text */
	HTTP_EV_ERROR,         /* sticky error: ev->code, ev->text, ev->offset */
};

/* Return values of the callback for HTTP_EV_HEADERS_DONE (ignored for the
 * other events, which must return HTTP_NEXT_DEFAULT i.e. 0). */
enum http_next {
	HTTP_NEXT_DEFAULT = 0, /* frame the body per RFC 9112 §6.3 */
	HTTP_NEXT_NO_BODY = 1, /* message has no body (e.g. answer to HEAD) */
	HTTP_NEXT_STOP = 2,    /* stop after the head: the following bytes are
	                          not HTTP (tunnel, upgrade, or the caller wants
	                          to hold them); http_feed returns the offset */
};

struct http_event {
	enum http_ev type;
	const uint8_t *at;  /* span into the caller's bytes, or NULL */
	size_t len;         /* span length */
	uint64_t offset;    /* stream offset of `at` (or of the error) */
	int num;            /* HTTP_EV_STATUS: status code */
	const char *code;   /* NOTE/ERROR: short stable code, e.g.
	                       "ws_before_colon" (static string) */
	const char *text;   /* NOTE/ERROR: one sentence citing the RFC rule
	                       (static string) */
};

/* Returns enum http_next for HTTP_EV_HEADERS_DONE, 0 otherwise. */
typedef int (*http_cb)(void *user, const struct http_event *ev);

/* Caps.  A head longer than HTTP_MAX_HEAD bytes is an error
 * ("head_too_large"): a real head is a few KB; more is junk or hostile. */
#define HTTP_MAX_HEAD (64 * 1024)

enum http_state_public {
	HTTP_PARSING, /* accepting bytes */
	HTTP_STOPPED, /* HTTP_NEXT_STOP was returned; bytes after the head are
	                 not consumed; call http_resume() to parse HTTP again */
	HTTP_FAILED,  /* sticky error; http_feed consumes nothing more */
};

/* Zero-initialisable except kind/cb/user: set with http_init().  The
 * internal fields are private to http_parser.c. */
struct http_parser {
	/* configuration */
	enum http_kind kind;
	http_cb cb;
	void *user;
	/* read-only results for the current/last message, valid from
	 * HTTP_EV_HEADERS_DONE to the next HTTP_EV_MESSAGE_BEGIN */
	int status;              /* response status code */
	int version_minor;       /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
	bool is_connect;         /* request method is CONNECT */
	bool is_head;            /* request method is HEAD */
	bool chunked;            /* Transfer-Encoding ends in chunked */
	bool has_length;         /* a valid Content-Length was seen */
	uint64_t content_length;
	bool conn_close;         /* Connection: close seen */
	bool conn_upgrade;       /* Connection has the token "upgrade" */
	bool has_upgrade;        /* an Upgrade field was seen */
	uint64_t messages;       /* messages completed */
	/* requests answered: the response parser must know when the request
	 * was HEAD or CONNECT; the owner sets this before each response. */
	bool request_was_head;
	bool request_was_connect;
	/* state */
	enum http_state_public pstate;
	uint64_t offset;         /* stream offset of the next byte fed */
	/* private to http_parser.c */
	int st;                  /* internal state machine state */
	uint32_t head_len;       /* bytes of the current head so far */
	uint32_t ows_pending;    /* held-back whitespace inside a value */
	uint8_t ows_buf[64];     /* the held-back whitespace bytes */
	uint8_t tok[16];         /* small token accumulator (method, TE...) */
	uint32_t tok_len;
	uint32_t field_id;       /* which framing-relevant field is current */
	uint64_t body_left;      /* bytes left in the body or current chunk */
	int digits;              /* status digits or chunk size digits seen */
	uint32_t flags;          /* private flags */
	uint32_t cnt;            /* bytes of the current element so far */
	uint32_t ows_run;        /* length of the current whitespace run
	                            inside a field value (across feeds) */
	uint64_t ows_off;        /* stream offset of ows_buf[0] */
	uint64_t note_off;       /* stream offset kept for a deferred note */
	uint64_t acc;            /* Content-Length element being read */
	uint8_t tform;           /* request-target form being checked */
	uint8_t lf_err;          /* error if a CR is not followed by LF */
	uint16_t port_digits;    /* authority-form: digits after last ':' */
	const uint8_t *feed_data; /* during http_feed: the caller's bytes */
	uint64_t feed_off;       /* during http_feed: offset of feed_data */
};

void http_init(struct http_parser *p, enum http_kind kind, http_cb cb,
	       void *user);

/* Feeds len bytes (borrowed for the call).  Returns the number consumed:
 * len, or fewer when the parser stopped (HTTP_STOPPED: the rest is for
 * the next layer) or failed (HTTP_FAILED). */
size_t http_feed(struct http_parser *p, const uint8_t *data, size_t len);

/* The stream ended (FIN/RST/end of capture).  A body delimited by close
 * completes (HTTP_EV_MESSAGE_DONE); a message cut in its head or inside a
 * length-delimited body gives HTTP_EV_ERROR "truncated". */
void http_finish(struct http_parser *p);

/* Leaves HTTP_STOPPED: the next byte fed starts a new message. */
void http_resume(struct http_parser *p);

#endif
