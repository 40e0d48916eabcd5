/* session.h - the session model: legs, their stages, HTTP heads, WebSocket
 * messages, notes and verdicts.
 *
 * This is the only thing outputs (ui/) read.  The analyzer fills a
 * `struct leg` as bytes flow through the layers and tells a sink, in
 * order, about each HTTP head, each completed message and the leg's end.
 * Everything a sink receives is borrowed and valid during the call only;
 * a sink that needs it later copies it.
 */
#ifndef WSTAP_SESSION_H
#define WSTAP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

enum dir { DIR_CLIENT = 0, DIR_SERVER = 1 }; /* who sent the bytes */

enum via {
	VIA_DIRECT,  /* client speaks to the WebSocket server itself */
	VIA_CONNECT, /* CONNECT tunnel through a forward proxy */
	VIA_FORWARD, /* absolute-form request to a forward proxy */
	VIA_REVERSE, /* request seen behind/through a reverse proxy */
};

enum verdict {
	V_OK,
	V_INCOMPLETE,
	V_PROXY_AUTH_REQUIRED,
	V_PROXY_DENIED,
	V_PROXY_ERROR,
	V_PROXY_NO_RESPONSE,
	V_TUNNEL_CLOSED,
	V_HANDSHAKE_REJECTED,
	V_ACCEPT_MISMATCH,
	V_SUBPROTOCOL_MISMATCH,
	V_EXTENSION_MISMATCH,
	V_TLS_FAILED,
	V_TLS_ENCRYPTED,
	V_PROTOCOL_ERROR,
	V_DEFLATE_ERROR,
	V_CLOSED_ABNORMALLY,
	V_NOT_WEBSOCKET,
	V_COUNT
};

/* Stages in the order a proxied WebSocket goes through them. */
enum stage {
	ST_TCP,           /* SYN (or first packet when picked up midstream) */
	ST_PROXY_REQUEST, /* CONNECT or absolute-form request sent */
	ST_PROXY_ANSWER,  /* the proxy's status line */
	ST_TUNNEL,        /* first byte inside the tunnel */
	ST_HANDSHAKE,     /* Upgrade request */
	ST_OPEN,          /* 101 received */
	ST_CLOSING,       /* first close frame */
	ST_CLOSED,        /* TCP connection ended (FIN/RST) */
	ST_COUNT
};

struct stage_mark {
	bool seen;
	double ts;       /* capture time, seconds since the epoch */
	uint64_t pkt;    /* packet number, from 1 */
};

enum note_level { NOTE_INFO, NOTE_WARN, NOTE_ERROR };

#define LEG_MAX_NOTES 24
#define NOTE_TEXT_MAX 240

struct note {
	enum note_level level;
	char code[32];
	char text[NOTE_TEXT_MAX];
};

/* Small copies of header values the analysis needs, NUL-terminated,
 * truncated to their size (values are untrusted: escape on output). */
#define HV_SMALL 128
#define HV_LARGE 512

struct ws_info {
	bool requested;          /* an Upgrade: websocket request was seen */
	bool answered;           /* a response to it was seen */
	int status;              /* its status */
	char path[HV_LARGE];     /* request-target of the Upgrade request */
	char host[HV_SMALL];
	char key[HV_SMALL];
	char accept[HV_SMALL];
	char expected_accept[32];
	bool accept_valid;
	char version[16];
	char offered_protocols[HV_LARGE];
	char protocol[HV_LARGE];      /* chosen subprotocol */
	char offered_extensions[HV_LARGE];
	char extensions[HV_LARGE];    /* accepted extensions */
	bool deflate;                 /* permessage-deflate in force */
	bool subprotocol_problem;
	bool extension_problem;
};

struct tls_info {
	bool seen;               /* TLS records inside the tunnel */
	uint16_t version;        /* negotiated version when the ServerHello
	                            was read, else the highest offered, else
	                            the first record's version */
	bool version_negotiated;
	bool client_hello, server_hello;
	bool ccs[2];             /* ChangeCipherSpec per direction */
	bool app_data[2];        /* application data per direction */
	bool alert[2];           /* alert record per direction */
	uint8_t alert_desc;      /* first cleartext alert's description, */
	uint8_t alert_level;     /* its level (1 warning, 2 fatal) */
	enum dir alert_by;       /* and who sent it */
	bool alert_clear;        /* that alert was readable (before CCS) */
	char sni[256];
	char alpn[HV_SMALL];
	/* Decryption with a key log (--keylog, pcapng secrets). */
	uint16_t cipher;         /* suite the ServerHello chose, 0 unknown */
	char client_random[65];  /* hex: the key log line to look for */
	bool keylog;             /* a key log was given */
	bool keys_found;         /* it had this session's secrets */
	bool decrypted;          /* application data was decrypted */
	bool decrypt_failed;     /* a record failed authentication: wrong key */
	bool hrr;                /* TLS 1.3 HelloRetryRequest */
	uint64_t records_decrypted[2];
	uint64_t key_updates[2]; /* TLS 1.3 KeyUpdate per direction */
	bool cert_seen;          /* the server's leaf certificate was read */
	struct {
		char subject[256], issuer[256], san[512];
		char not_before[24], not_after[24]; /* ISO 8601, UTC */
		unsigned chain;      /* certificates sent */
	} cert;
};

struct msg_counts {
	uint64_t text, binary, ping, pong, close;
};

struct close_info {
	bool seen;
	enum dir by;             /* who sent the first close frame */
	bool has_code;
	uint16_t code;
	char reason[HV_SMALL];   /* raw reason bytes, NUL-terminated copy */
	size_t reason_len;
	bool replied;            /* the other side answered with a close */
};

/* How sure a link between two legs of one proxy is. */
enum link_confidence {
	LINK_NONE,
	LINK_LIKELY,   /* target, addresses and timing agree */
	LINK_CERTAIN,  /* a 16-byte nonce (WebSocket key, TLS random) matches */
};

/* What linking two legs of a proxy found (filled on both legs). */
struct link_info {
	enum link_confidence confidence;
	bool client_side;        /* this leg is the client's side of the proxy */
	char evidence[96];       /* "identical Sec-WebSocket-Key", ... */
	double request_delay;    /* proxy's onward request after the client's
	                            (seconds); < 0 when unknown */
	double response_delay;   /* client's answer after the server's */
	uint64_t compared[2];    /* messages compared per direction */
	uint64_t changed;        /* compared messages of different size/type */
	uint64_t missing;        /* messages on one leg but not the other */
	double max_delay;        /* largest delay the proxy added to a message */
	char header_changes[256];/* headers the proxy dropped or changed */
	bool cert_differs;       /* the two legs' TLS server certificates
	                            differ: the proxy re-signs TLS */
	char other_issuer[256];  /* issuer of the other leg's certificate */
};

/* At most this many message signatures per leg are kept for comparing
 * linked legs: enough to tell a proxy that merges or rewrites frames. */
#define LINK_SIG_MAX 256

struct addr_port {
	char text[64];           /* "addr:port", IPv6 as "[addr]:port" */
	uint16_t port;
};

struct leg {
	uint64_t id;             /* from 1, in order of the first packet */
	struct addr_port client, server;
	enum via via;
	bool client_known;       /* direction settled by a SYN or a request */
	char target[HV_LARGE];   /* CONNECT authority or absolute-form URI's
	                            host:port; empty when none */
	int proxy_status;        /* 0 when no proxy answer */
	char proxy_reason[HV_SMALL];
	char proxy_auth[HV_SMALL];    /* Proxy-Authenticate value (407) */
	char proxy_error_hdr[HV_SMALL]; /* X-Squid-Error and the like */
	bool proxy_authorization_sent;
	char via_hdr[HV_SMALL], xff_hdr[HV_SMALL], forwarded_hdr[HV_SMALL];
	bool proxied_request;    /* absolute-form request seen */
	uint64_t http_requests, http_responses;
	bool any_http;           /* an HTTP message was parsed */
	int last_status;         /* last response status */
	char last_reason[HV_SMALL];
	struct ws_info ws;
	struct tls_info tls;
	struct msg_counts msgs[2];
	uint64_t payload_bytes[2]; /* WebSocket payload after inflate */
	uint64_t tcp_bytes[2];     /* TCP payload bytes delivered */
	uint64_t packets;
	struct close_info close;
	struct stage_mark stages[ST_COUNT];
	bool syn_seen, fin[2], rst[2];
	uint64_t rst_pkt;
	bool end_seen;           /* a FIN or RST was seen */
	double end_ts;           /* the first one's time and packet */
	uint64_t end_pkt;
	enum dir end_by;         /* and who sent it */
	bool end_rst;
	bool midstream;          /* no SYN: picked up mid-connection */
	bool ended;              /* the TCP connection finished */
	uint64_t gaps, gap_bytes; /* bytes the capture lacks */
	uint64_t overlap_mismatches; /* re-sent segments whose bytes differed
	                            from the first copy (which was kept) */
	uint64_t resyncs;        /* times decoding resumed at a boundary found
	                            by scanning (after a gap, or midstream) */
	uint64_t resync_skipped; /* bytes skipped to find those boundaries */
	bool ws_midstream;       /* WebSocket recognised from its frames; the
	                            handshake was not captured */
	bool gap_undecoded;      /* after a gap, bytes stayed undecoded (no
	                            boundary found, or a lane that cannot
	                            resume) */
	uint64_t protocol_errors; /* RFC 6455 MUST violations */
	uint64_t deflate_errors;
	uint64_t http_errors;
	bool open_at_end;        /* the WebSocket was open when input ended */
	double expired_idle;     /* > 0: no packet for this many seconds, so
	                            the analyzer stopped following the leg
	                            (--idle); it may still be alive */
	enum verdict verdict;
	char explanation[768];
	uint64_t linked;         /* id of the linked leg, 0 when none */
	struct link_info link;
	uint64_t retry_of;       /* this CONNECT retries leg N's 407 */
	uint64_t retried_by;     /* leg N retried this leg's 407 */
	double retry_delay;      /* seconds between the 407 and the retry */
	bool retried_here;       /* a 407 was retried on this connection */
	int first_status;        /* first answer to CONNECT (e.g. 407) */
	char auth_scheme[32];    /* Proxy-Authorization scheme sent */
	char proxy_software[HV_SMALL]; /* Server or Via of the proxy's answer */
	double proxy_latency;    /* request to the proxy's answer, seconds */
	struct note notes[LEG_MAX_NOTES];
	unsigned n_notes;
	uint64_t notes_dropped;  /* beyond LEG_MAX_NOTES */
	double first_ts, last_ts;
	uint64_t first_pkt, last_pkt;
};

/* One HTTP head as it was sent. */
struct http_head {
	enum dir dir;
	bool is_request;
	double ts;
	uint64_t pkt;
	const uint8_t *raw;      /* the head's bytes verbatim (borrowed) */
	size_t raw_len;
	bool raw_truncated;      /* longer than the copy cap */
	int status;              /* responses */
};

struct leg_message {
	enum dir dir;
	double ts;               /* time of the packet completing it */
	uint64_t pkt;
	uint8_t opcode;          /* WS_OP_* */
	bool compressed, truncated, utf8_valid;
	uint64_t length, wire_length;
	uint32_t frames;
	const uint8_t *data;     /* kept payload (borrowed), may be NULL */
	size_t data_len;
	bool has_close_code;
	uint16_t close_code;
	const uint8_t *reason;
	size_t reason_len;
};

/* Counters for every cap and anomaly, reported in the stats record. */
struct sess_stats {
	uint64_t packets, bytes, tcp_packets, non_tcp, non_ip;
	uint64_t truncated_packets, invalid_packets, unsupported_link;
	uint64_t ip_fragments, ipv6_fragments;
	uint64_t flows, legs, legs_reported;
	uint64_t ooo_segments, retransmitted_bytes, gaps, gap_bytes;
	uint64_t ooo_cap_hits, memcap_hits, flow_cap_hits;
	uint64_t ooo_peak_bytes;
	uint64_t overlap_mismatches, overlap_mismatch_bytes;
	uint64_t overlap_unverifiable, ring_cap_hits;
	uint64_t keepalives, zero_window_probes;
	uint64_t resyncs, resync_skipped_bytes, resync_cap_hits;
	uint64_t resync_buffered; /* now: bytes held while resynchronising */
	uint64_t frag_reassembled, frag_timeouts, frag_cap_hits;
	uint64_t frag_overlaps, frag_invalid;
	uint64_t http_heads, http_errors, head_copy_truncated;
	uint64_t messages, message_cap_hits, notes, notes_dropped;
	uint64_t frame_violations;
	uint64_t tls_decrypted_legs, tls_keys_missing, tls_decrypt_failures;
	uint64_t tls_records_decrypted, tls_handshake_cap_hits;
	/* permessage-deflate: deflate_error notes, messages cut by
	 * --max-inflate or the ratio guard, messages whose inflating hit the
	 * per-message budget (window lost), messages that referred back into
	 * a lost window */
	uint64_t deflate_errors, deflate_bombs, deflate_desyncs;
	uint64_t deflate_undecodable;
	uint64_t linger_cap_hits; /* ended legs reported before their linger
	                             ran out: too many were waiting */
	uint64_t hold_cap_hits;     /* legs whose held bytes (HOLD_MAX,
	                               awaiting an answer) overflowed */
	uint64_t pipeline_cap_hits; /* requests forgotten: more than
	                               PENDING_MAX awaited answers */
	double first_ts, last_ts;
};

/* Where the model is reported.  Any callback may be NULL. */
struct sess_sink {
	void *ctx;
	void (*http_head)(void *ctx, const struct leg *l,
			  const struct http_head *h);
	void (*message)(void *ctx, const struct leg *l,
			const struct leg_message *m);
	void (*leg_end)(void *ctx, const struct leg *l);
	void (*finish)(void *ctx, const struct sess_stats *st);
	/* Each captured packet of a reported leg, as captured (for per-leg
	 * pcap export). */
	void (*packet)(void *ctx, const struct leg *l,
		       const struct raw_packet *raw);
	/* A leg that will not be reported (neither proxy nor WebSocket
	 * traffic) is forgotten: drop whatever `packet` kept for it. */
	void (*leg_drop)(void *ctx, const struct leg *l);
	bool want_payload;       /* keep message payloads (jsonl/transcript) */
};

const char *verdict_code(enum verdict v);
const char *via_name(enum via v);
const char *stage_name(enum stage s);
const char *opcode_name(uint8_t opcode);
const char *note_level_name(enum note_level l);
static inline const char *dir_name(enum dir d)
{
	return d == DIR_CLIENT ? "client" : "server";
}

/* Adds a note to a leg; beyond LEG_MAX_NOTES it is counted, not kept. */
void leg_note(struct leg *l, enum note_level level, const char *code,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
