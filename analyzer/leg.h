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
 * Lane changes happen in the HTTP callbacks, at the exact stream offset
 * where the HTTP head ended, so no byte is parsed twice or lost.
 */
#ifndef WSTAP_LEG_H
#define WSTAP_LEG_H

#include "analyzer.h"
#include "http_parser.h"
#include "session.h"
#include "tcp_reasm.h"
#include "ws_handshake.h"
#include "ws_message.h"

enum lane { LANE_HTTP, LANE_HOLD, LANE_SNIFF, LANE_TLS, LANE_WS, LANE_OPAQUE };

/* What a request asked for; its answer is judged by it. */
enum req_kind { REQ_OTHER, REQ_HEAD, REQ_CONNECT, REQ_UPGRADE };

#define PENDING_MAX 16       /* pipelined requests remembered */
#define HEAD_COPY_MAX 16384  /* bytes of each head kept for the outputs */
#define HOLD_MAX (256 * 1024)/* client bytes held while awaiting an answer */

/* Header values of the message being parsed in one direction. */
struct hdr_vals {
	char method[16];
	char target[HV_LARGE];
	size_t method_len, target_len;
	char upgrade[HV_SMALL], connection[HV_SMALL], host[HV_SMALL];
	char key[HV_SMALL], accept[HV_SMALL], version[16];
	char protocol[HV_LARGE], extensions[HV_LARGE];
	char proxy_authenticate[HV_SMALL], squid_error[HV_SMALL];
	char via[HV_SMALL], xff[HV_SMALL], forwarded[HV_SMALL];
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
	bool hold_overflow;
	/* WS lane */
	struct ws_msg_stream *ws;
	struct pmd_stream *pmd;
	bool ws_started;          /* the frame parser's offset is set */
	/* TLS lane: record header collection */
	uint8_t tls_hdr[5];
	uint8_t tls_hdr_len;
	uint8_t tls_type;
	uint32_t tls_left;        /* body bytes left in the current record */
	uint32_t tls_body_seen;
	uint8_t tls_first[2];     /* first body bytes (alert / handshake type) */
	uint8_t *hello;           /* first handshake message being collected */
	size_t hello_len;
	bool hello_done;
	uint64_t opaque_bytes;
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
};

/* analyzer.c */
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

/* leg_tls.c */
void leg_tls_feed(struct leg_state *ls, int dir, const uint8_t *p, size_t n);
bool tls_looks_like_record(const uint8_t *p, size_t n);

/* verdict.c */
void verdict_decide(struct leg *l);

#endif
