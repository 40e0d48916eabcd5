/* ipfrag.h - IP datagrams from their fragments (RFC 791 §3.2 for IPv4,
 * RFC 8200 §4.5 for IPv6).
 *
 * Fragments are keyed by (family, source, destination, protocol,
 * identification) and copied into one buffer per datagram, at their
 * offset; received ranges are kept sorted.  A datagram is complete when
 * the last fragment (More Fragments clear) has been seen and the ranges
 * cover [0, total).
 *
 * Overlaps: an exact duplicate (same range, same bytes) is dropped
 * quietly.  Otherwise, for IPv6, RFC 8200 §4.5 (after RFC 5722): the
 * datagram is abandoned and its later fragments dropped until it times
 * out.  For IPv4, RFC 791 lets the later copy overwrite; we keep the first
 * copy instead (the same policy as the TCP layer) and count overlaps whose
 * bytes differ.
 *
 * Limits: datagrams in progress (the oldest makes room), bytes buffered
 * (likewise), fragments per datagram, and a timeout in capture time
 * (RFC 8200 §4.5: 60 seconds).  Each has a counter; nothing aborts.
 */
#ifndef WSTAP_IPFRAG_H
#define WSTAP_IPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

struct ipfrag_limits {
	size_t max_datagrams;  /* in progress at once */
	size_t max_bytes;      /* buffered over all datagrams */
	double timeout_s;      /* capture time from the first fragment */
};

struct ipfrag_counters {
	uint64_t reassembled, timeouts, cap_hits, overlaps, invalid;
	uint64_t buffered;     /* now */
};

struct ipfrag_table;

struct ipfrag_table *ipfrag_new(const struct ipfrag_limits *lim);

/* Adds one fragment (its bytes are copied).  Returns true when it
 * completed a datagram: *data and *len then hold the reassembled payload
 * (what follows the IP header, or the IPv6 Fragment header), valid until
 * the next call on the table. */
bool ipfrag_add(struct ipfrag_table *t, const struct ip_frag *f, double now,
		const uint8_t **data, size_t *len);

const struct ipfrag_counters *ipfrag_counters(const struct ipfrag_table *t);
void ipfrag_free(struct ipfrag_table *t);

#endif
