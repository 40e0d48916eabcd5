/* analyzer.h - the pipeline from captured packets to the session model.
 *
 * capture (pcap file or live) -> decode -> TCP flows -> per-leg layers
 * (proxy HTTP, tunnel, TLS recognition, Upgrade handshake, WebSocket
 * frames and messages, permessage-deflate) -> sess_sink.
 */
#ifndef WSTAP_ANALYZER_H
#define WSTAP_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "tcp_reasm.h"

struct analyzer_cfg {
	uint64_t max_message;    /* cap on one kept message (bytes) */
	uint64_t max_inflate;    /* cap on one inflated message (bytes) */
	uint64_t memcap;         /* cap on all buffered stream data */
	double idle_timeout;     /* seconds; 0 = legs never expire */
	const uint64_t *only_ids;/* -s: report only these legs (borrowed) */
	size_t n_only;
	struct keylog *keylog;   /* TLS secrets (borrowed), NULL for none;
	                            pcapng secrets are fed into it as read */
};

struct analyzer;

struct analyzer *analyzer_new(const struct analyzer_cfg *cfg,
			      const struct sess_sink *sink);
/* One captured packet (borrowed for the call). */
void analyzer_packet(struct analyzer *a, const struct raw_packet *rp);
/* End of input: every open leg ends (as incomplete where it was cut),
 * then sink->finish. */
void analyzer_finish(struct analyzer *a);
const struct sess_stats *analyzer_stats(const struct analyzer *a);
/* Time has passed without packets (`now`: seconds since the epoch, the
 * packets' clock): ends legs idle for more than cfg.idle_timeout (they
 * are reported as expired) and reports ended legs whose wait is over.
 * Live capture calls it while no packets arrive; analyzer_packet runs
 * the expiry once per second of capture time. */
void analyzer_expire(struct analyzer *a, double now);
/* Legs the analyzer is following now (opened, not yet ended). */
uint64_t analyzer_legs_open(const struct analyzer *a);
void analyzer_free(struct analyzer *a);

#endif
