/* leg.h - the layers of one leg (one TCP connection), private to analyzer/.
 *
 * Each direction's in-order bytes go to that direction's current lane:
 *   HTTP   - proxy or Upgrade HTTP heads (http_parser)
 *   HOLD   - the client sent CONNECT or an Upgrade request and its next
 *            bytes wait for the answer, which decides what they are
 *   SNIFF  - first bytes inside a CONNECT tunnel: TLS or HTTP?
 *   TLS    - TLS records, recognised and counted (not decrypted yet)
 *   WS     - WebSocket frames and messages
 *   OPAQUE - anything else: counted, not parsed
 *   RESYNC - after a gap, or from the first byte of a connection picked
 *            up midstream: bytes are scanned for a boundary to trust (an
 *            HTTP start line, a chain of WebSocket frame headers) and the
 *            lane it belongs to takes over there (leg_resync.c)
 * Lane changes happen in the HTTP callbacks, at the exact stream offset
 * where the HTTP head ended, so no byte is parsed twice or lost.
 */
#ifndef WSTAP_LEG_H
#define WSTAP_LEG_H

#include "analyzer.h"
#include "http_parser.h"
#include "link.h"
#include "recycle.h"
#include "session.h"
#include "tcp_reasm.h"
#include "ws_handshake.h"
#include "ws_message.h"

enum lane { LANE_HTTP, LANE_HOLD, LANE_SNIFF, LANE_TLS, LANE_WS, LANE_OPAQUE,
	    LANE_RESYNC };

/* What a request asked for; its answer is judged by it. */
enum req_kind { REQ_OTHER, REQ_HEAD, REQ_CONNECT, REQ_UPGRADE };

#define PENDING_MAX 16       /* pipelined requests remembered */
#define HEAD_COPY_MAX 16384  /* bytes of each head kept for the outputs */
#define HOLD_MAX (256 * 1024)/* client bytes held while awaiting an answer */

/* Header values of the message being parsed in one direction.  Not
 * zeroed as a block: hv_clear() in leg.c lists every field. */
struct hdr_vals {
	char method[16];
	char target[HV_LARGE];
	size_t method_len, target_len;
	char upgrade[HV_SMALL], connection[HV_SMALL], host[HV_SMALL];
	char key[HV_SMALL], accept[HV_SMALL], version[16];
	char protocol[HV_LARGE], extensions[HV_LARGE];
	char proxy_authenticate[HV_SMALL], squid_error[HV_SMALL];
	char via[HV_SMALL], xff[HV_SMALL], forwarded[HV_SMALL];
	char server[HV_SMALL];
	char auth_scheme[32];     /* Proxy-Authorization's scheme only: the
	                             credentials are never kept */
	char reason[HV_SMALL];
	size_t reason_len;
	bool key_seen, accept_seen, proxy_authorization;
	/* field being collected */
	char name[40];
	size_t name_len;
	bool name_long;
	char value[HV_LARGE];
	size_t value_len;
};

struct leg_state;

struct lane_dir {
	struct leg_state *owner;  /* back-pointer for parser callbacks */
	int dir;                  /* DIR_CLIENT or DIR_SERVER */
	enum lane lane;
	uint64_t offset;          /* stream offset of the next byte */
	struct http_parser http;
	bool http_ready;
	struct hdr_vals hv;
	/* head copy: [head_start, head_copied) is in head_buf */
	bool head_active;
	uint64_t head_start, head_copied;
	uint8_t *head_buf;
	size_t head_len;
	bool head_trunc;
	/* the chunk being fed to the HTTP parser */
	const uint8_t *chunk;
	uint64_t chunk_off;
	size_t chunk_len;
	/* HOLD lane */
	uint8_t *hold;
	size_t hold_len, hold_cap;
	bool in_message;          /* the HTTP parser is inside a message */
	bool hold_overflow;
	/* WS lane */
	struct ws_msg_stream *ws;
	struct pmd_stream *pmd;
	bool ws_started;          /* the frame parser's offset is set */
	/* TLS is decrypted in this direction: the TCP bytes go to the TLS
	 * layer (leg_tls_raw) and its plaintext to the lanes, whose offset
	 * then counts plaintext bytes. */
	bool tls_layer;
	uint64_t opaque_bytes;
	struct resync *rs;        /* RESYNC lane state (leg_resync.c) */
};

struct leg_state {
	struct leg pub;
	struct analyzer *an;
	struct lane_dir d[2];
	const struct pkt_meta *pm;  /* the packet being processed */
	enum req_kind pending[PENDING_MAX];
	unsigned pend_head, pend_count;
	bool tunnel;                /* inside a CONNECT tunnel */
	bool reported;
	struct ws_hs_request hsreq; /* pointers into saved request values */
	struct hdr_vals upreq;      /* the Upgrade request's values */
	struct ws_hs_result hs;
	/* linking (link.c, leg_link.c) */
	struct link_entry *links[LINK_PER_LEG];
	unsigned n_links;
	struct leg_state *partner;  /* linked leg while both are alive */
	struct msg_sig *sigs;       /* message signatures for comparison */
	unsigned n_sigs;
	bool ended_here;            /* the leg ended; waiting to be reported */
	double report_at;           /* capture time after which to report */
	struct leg_state *next_pending;
	double key_req_ts;          /* the request with the linked key, and */
	double key_resp_ts;         /* the answer to it (0 when not seen) */
	char upgrade_resp_ext[HV_LARGE]; /* the 101's extensions, protocol */
	char upgrade_resp_proto[HV_LARGE];
	struct leg_tls *tls;        /* TLS layer (leg_tls.c), once TLS is seen */
	bool swapped;               /* midstream: the first sender turned out
	                               to be the server; TCP's direction 0 is
	                               DIR_SERVER here */
};

/* One message, as compared between linked legs. */
struct msg_sig {
	uint8_t dir, opcode;
	uint64_t length;
	double ts;
};

/* analyzer.c */
/* Freed leg states and head copy buffers kept for the next legs. */
struct analyzer_pools {
	struct recycle legs;     /* sizeof(struct leg_state) */
	struct recycle heads;    /* HEAD_COPY_MAX */
};
struct analyzer_pools *analyzer_pools(struct analyzer *a);
const struct sess_sink *analyzer_sink(const struct analyzer *a);
const struct analyzer_cfg *analyzer_cfg(const struct analyzer *a);
struct sess_stats *analyzer_stats_rw(struct analyzer *a);

/* leg.c */
struct leg_state *leg_new(struct analyzer *a, uint64_t id,
			  const struct ip_endpoint *client,
			  const struct ip_endpoint *server, bool syn,
			  const struct pkt_meta *pm);
void leg_data(struct leg_state *ls, int dir, const uint8_t *p, size_t n,
	      const struct pkt_meta *pm);
void leg_gap(struct leg_state *ls, int dir, uint64_t n,
	     const struct pkt_meta *pm);
void leg_end_stream(struct leg_state *ls, int dir, bool rst,
		    const struct pkt_meta *pm);
void leg_free(struct leg_state *ls);
void leg_mark(struct leg_state *ls, enum stage s);
/* Whether the leg carried anything worth reporting. */
bool leg_reportable(const struct leg_state *ls);
void leg_finalize(struct leg_state *ls);

/* leg_ws.c */
void leg_ws_open(struct leg_state *ls);
void leg_ws_feed(struct leg_state *ls, int dir, const uint8_t *p, size_t n);
void leg_ws_finish(struct leg_state *ls);
void leg_ws_free(struct leg_state *ls);

/* leg_link.c */
struct link_index *analyzer_links(struct analyzer *a);
void leg_link_ws_key(struct leg_state *ls, const char *key);
void leg_link_tls_random(struct leg_state *ls, const uint8_t random[32]);
void leg_link_407(struct leg_state *ls);
void leg_link_retry(struct leg_state *ls);
void leg_link_sig(struct leg_state *ls, enum dir d, uint8_t opcode,
		  uint64_t length, double ts);
void leg_link_compare(struct leg_state *ls);
void leg_link_unpair(struct leg_state *ls);

/* leg.c: feeds a direction's current lane (bytes replayed after a
 * resync, and decrypted TLS plaintext). */
void leg_lane_feed(struct leg_state *ls, int dir, const uint8_t *p, size_t n);

/* leg_resync.c */
void leg_resync_start(struct leg_state *ls, int dir, bool after_gap);
size_t leg_resync_feed(struct leg_state *ls, int dir, const uint8_t *p,
		       size_t n);
/* A gap of n bytes in a direction: keeps decoding in step or resyncs;
 * false when the lane cannot resume (the caller stops decoding). */
bool leg_resync_gap(struct leg_state *ls, int dir, uint64_t n);
void leg_resync_finish(struct leg_state *ls);
/* A 101 on a midstream leg whose request was not captured: opens the
 * WebSocket lanes; false when the leg is not such a leg. */
bool leg_resync_midstream_101(struct leg_state *ls);
void leg_resync_free(struct leg_state *ls);
void leg_overlap(struct leg_state *ls, int dir, uint64_t off, size_t n,
		 size_t differ, const struct pkt_meta *pm);

/* leg_tls.c */
/* Bytes of the TLS lane (TLS recognised inside the lanes). */
void leg_tls_feed(struct leg_state *ls, int dir, const uint8_t *p, size_t n);
/* TCP bytes of a direction whose TLS is decrypted (d->tls_layer). */
void leg_tls_raw(struct leg_state *ls, int dir, const uint8_t *p, size_t n);
void leg_tls_gap(struct leg_state *ls, int dir);
void leg_tls_finish(struct leg_state *ls);
void leg_tls_free(struct leg_state *ls);
bool tls_looks_like_record(const uint8_t *p, size_t n);

/* leg.c: TLS was decrypted in a direction; its plaintext is a new byte
 * stream that begins with HTTP (the Upgrade), like a cleartext tunnel. */
void leg_plain_start(struct leg_state *ls, int dir);

/* verdict.c */
void verdict_decide(struct leg *l);

#endif
