/* pmd_negotiate.h - permessage-deflate negotiation (RFC 7692 §5, §7.1).
 *
 * Reads the client's offers (every permessage-deflate element of the
 * request's Sec-WebSocket-Extensions, each with its parameters) and the
 * server's answer (the permessage-deflate element of the 101's), checks
 * both against §7.1 and works out what each side must use: window bits
 * and context takeover per direction.
 *
 * Problems become notes through a callback: level 2 (error) for an
 * answer a client MUST fail the connection on (§7.1: a parameter not
 * defined for a response, an invalid value, a duplicate, a configuration
 * the client did not allow), level 1 for an offer the server had to
 * decline, level 0 for what was negotiated.  Pure functions on borrowed
 * strings; no allocation.
 */
#ifndef WSTAP_PMD_NEGOTIATE_H
#define WSTAP_PMD_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>

struct ws_deflate_params {
	bool on;                 /* permessage-deflate accepted */
	bool server_no_context_takeover, client_no_context_takeover;
	int server_max_window_bits; /* 8..15, 15 when not given */
	int client_max_window_bits;
	bool valid;              /* a client may accept the answer (§7.1) */
	unsigned offers;         /* permessage-deflate offers in the request */
	unsigned offer;          /* the offer the answer accepts, from 1; 0
	                            when it fits none */
};

typedef void (*pmd_note_fn)(void *ctx, int level, const char *code,
			    const char *text);

/* offers: the request's whole Sec-WebSocket-Extensions value (NUL-
 * terminated, may be empty).  answer/answer_len: the response's
 * permessage-deflate element, name and parameters.  Fills *p (on set).
 * Returns p->valid. */
bool pmd_negotiate(const char *offers, const char *answer, size_t answer_len,
		   struct ws_deflate_params *p, pmd_note_fn note, void *ctx);

/* Calls fn for each element of an extension list (RFC 6455 §9.1: commas
 * inside quoted strings do not split), OWS trimmed, empty ones skipped;
 * stops when fn returns true and returns whether it did. */
bool pmd_ext_each(const char *list,
		  bool (*fn)(const char *e, size_t n, void *arg), void *arg);

/* Length of an element's extension name (up to ';' or OWS). */
size_t pmd_ext_name_len(const char *e, size_t n);

#endif
