/* http_resync.h - finding an HTTP/1.x start line in a stream whose start
 * (or a piece of which) was not captured (RFC 9112 §3, §4).
 *
 * After a gap, or when a capture begins in the middle of a connection,
 * the HTTP layer can only trust a start line: a request line
 * (`METHOD SP request-target SP HTTP/1.x CRLF`, with a method of RFC 9110
 * §9 or PATCH, RFC 5789) or a status line (`HTTP/1.x SP 3DIGIT`).  The
 * caller tries positions that begin a line (the first byte after a gap or
 * a LF); this module says whether one of them is a start line.
 */
#ifndef WSTAP_HTTP_RESYNC_H
#define WSTAP_HTTP_RESYNC_H

#include <stddef.h>
#include <stdint.h>

enum http_resync_result {
	HTTP_RESYNC_NO,        /* not a start line */
	HTTP_RESYNC_MORE,      /* could be one: more bytes are needed */
	HTTP_RESYNC_REQUEST,   /* a request line begins at p */
	HTTP_RESYNC_RESPONSE,  /* a status line begins at p */
};

/* Longest request-target accepted while looking for a request line (the
 * RFC 9112 §3 recommendation of at least 8000 octets). */
#define HTTP_RESYNC_TARGET_MAX 8000

/* Judges the n bytes at p (borrowed) as the start of a line. */
enum http_resync_result http_resync_line(const uint8_t *p, size_t n);

#endif
