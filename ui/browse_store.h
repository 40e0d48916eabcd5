/* browse_store.h - what the terminal browser keeps of the session model.
 *
 * The store is a sess_sink: it copies, during each callback, what the
 * browser shows later (the model's pointers are borrowed for the call
 * only).  Per leg it keeps a short row for the session list, the HTTP
 * heads and the messages with their payloads, and the whole `struct leg`
 * (packed once the leg ends: a leg is ~14 KB, mostly empty arrays, and
 * packs to about 1 KB, so 10,000 legs take ~10 MB).
 *
 * Everything kept has a cap (struct bs_limits) and a counter (struct
 * bs_stats and the leg's own counters); the browser shows a note where a
 * cap cut something.  Rows appear at a leg's first event, so live
 * capture appends rows and updates counts while legs are open.
 */
#ifndef WSTAP_BROWSE_STORE_H
#define WSTAP_BROWSE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

struct bs_limits {
	size_t msg_payload;      /* payload bytes kept of one message */
	size_t leg_payload;      /* payload and head bytes kept per leg */
	size_t leg_messages;     /* message records kept per leg */
	size_t leg_heads;        /* HTTP heads kept per leg */
	size_t total;            /* all bytes the store holds */
	size_t legs;             /* legs kept */
};

/* Defaults: 64 KiB per message, 2 MiB and 100,000 messages per leg,
 * 64 heads per leg, 512 MiB in all, 1,000,000 legs.  A browser needs the
 * start of a big payload, not all of it; the whole is in -T jsonl. */
void bs_default_limits(struct bs_limits *lim);

struct bs_stats {
	uint64_t legs, messages, heads;
	uint64_t payload_cut;    /* messages whose payload msg_payload cut */
	uint64_t leg_budget_hits;/* messages or heads without bytes: the
	                            leg's budget was spent */
	uint64_t messages_dropped; /* beyond leg_messages */
	uint64_t heads_dropped;  /* beyond leg_heads */
	uint64_t total_cap_hits; /* bytes refused: the store's total cap */
	uint64_t legs_dropped;   /* beyond `legs` */
	uint64_t pack_failures;  /* a leg could not be packed (kept whole) */
	uint64_t bytes;          /* bytes held now */
};

/* Kept bytes live in chunks that never move (no copying as a leg
 * grows, pointers stay valid); one head or payload never spans two. */
struct bs_chunk {
	struct bs_chunk *next;
	size_t len, cap;
	uint8_t data[];
};

/* One HTTP head as kept. */
struct bs_head {
	uint32_t seq;            /* order among the leg's heads and messages */
	enum dir dir;
	bool is_request;
	bool raw_truncated;      /* the analyzer's copy was cut */
	bool cut;                /* the store kept less than it got */
	int status;
	double ts;
	uint64_t pkt;
	const uint8_t *raw;      /* the kept bytes (in the leg's chunks) */
	size_t len;
};

/* One WebSocket message as kept. */
struct bs_msg {
	uint32_t seq;
	uint8_t opcode;
	enum dir dir;
	bool compressed, truncated, utf8_valid, has_close_code;
	bool cut;                /* the store kept fewer payload bytes than
	                            the analyzer handed over */
	uint16_t close_code;
	uint32_t frames;
	double ts;
	uint64_t pkt;
	uint64_t length, wire_length;
	const uint8_t *data;     /* kept payload (in the leg's chunks) */
	size_t len;
	const uint8_t *reason;   /* close reason */
	size_t reason_len;
	size_t given;            /* payload bytes the analyzer handed over */
};

/* One leg: the row the list shows, then what the detail needs. */
struct bs_leg {
	uint64_t id;
	uint64_t linked;         /* the other leg, 0 when none */
	enum via via;
	enum verdict verdict;
	bool ended;              /* leg_end seen: verdict is final */
	char client[64], server[64];
	char target[160];        /* cut to fit; the whole one is in the leg */
	int proxy_status;
	double first_ts, last_ts;
	uint64_t first_pkt;
	uint64_t msgs[2];        /* messages each way */
	uint64_t bytes[2];       /* TCP payload bytes each way */
	uint64_t order;          /* position of arrival (stable sort key) */
	/* kept events */
	struct bs_head *heads;
	size_t n_heads, cap_heads;
	struct bs_msg *msg;
	size_t n_msg, cap_msg;
	struct bs_chunk *chunks; /* head and payload bytes; the newest first */
	size_t kept;             /* bytes kept, against leg_payload */
	uint32_t next_seq;
	/* this leg's cap counters, for the note in its detail */
	uint64_t payload_cut, budget_hits, messages_dropped, heads_dropped;
	/* the whole leg: a live copy while open, packed after it ends */
	struct leg *open_copy;
	const void *packed;      /* in the store's slabs */
	size_t packed_len;
	uint64_t version;        /* bumps when the leg changes */
};

struct bstore;

/* NULL when out of memory; `lim` may be NULL for the defaults. */
struct bstore *bs_new(const struct bs_limits *lim);
void bs_free(struct bstore *s);
/* The sink that fills the store (want_payload set). */
struct sess_sink bs_sink(struct bstore *s);

size_t bs_count(const struct bstore *s);
/* Legs in order of arrival; valid until the next event. */
struct bs_leg *bs_at(struct bstore *s, size_t i);
struct bs_leg *bs_find(struct bstore *s, uint64_t id);
const struct bs_stats *bs_stats(const struct bstore *s);
/* The analyzer's end-of-input stats, once finish was seen (else NULL). */
const struct sess_stats *bs_sess_stats(const struct bstore *s);
/* Bumps on every change: the browser re-sorts when it moved. */
uint64_t bs_version(const struct bstore *s);

/* The whole leg as the analyzer last reported it.  The result lives in
 * a two-slot cache (a leg and its linked leg can be open at once): valid
 * until two other legs were asked for.  NULL when unpacking failed. */
const struct leg *bs_full(struct bstore *s, const struct bs_leg *bl);

/* Hands the kept leg to another sink as the analyzer did: its heads and
 * messages in order, leg_end, then finish with a one-leg stats record.
 * This is how the browser exports a session with the ordinary outputs.
 * Returns false when the leg could not be unpacked. */
bool bs_replay(struct bstore *s, const struct bs_leg *bl,
	       const struct sess_sink *to);

/* A failure as the list's `f` filter means it: the conversation did not
 * do what was asked (incomplete captures, encrypted tunnels and plain
 * HTTP are not failures). */
bool bs_verdict_failed(enum verdict v);

#endif
