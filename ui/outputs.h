/* outputs.h - the output formats, each a sess_sink over a struct obuf.
 * They read only the session model (analyzer/session.h). */
#ifndef WSTAP_OUTPUTS_H
#define WSTAP_OUTPUTS_H

#include <stdbool.h>

#include "obuf.h"
#include "session.h"

struct output_opts {
	bool hex;                /* -x: full hex dumps of payloads */
	bool linked;             /* --linked: transcript shows both legs of a
	                            proxy together, in time order */
	bool quiet;              /* -q */
};

/* Each returns a sink writing to `o` (borrowed for the sink's life);
 * state lives in *state, which the caller frees with output_free. */
struct sess_sink output_summary(struct obuf *o, const struct output_opts *opt,
				void **state);
struct sess_sink output_jsonl(struct obuf *o, const struct output_opts *opt,
			      void **state);
struct sess_sink output_transcript(struct obuf *o,
				   const struct output_opts *opt, void **state);
/* HAR 1.2 (-T har): one JSON document, written by `finish`. */
struct sess_sink output_har(struct obuf *o, const struct output_opts *opt,
			    void **state);
void output_free(void *state);

/* A sink handing every event to `a`, then to `b` (both copied; their
 * states stay the caller's).  *state is freed with output_free. */
struct sess_sink sink_tee(const struct sess_sink *a, const struct sess_sink *b,
			  void **state);

/* -w DIR: one capture file per leg (ui/out_pcap.c).  Creates DIR when it
 * is missing; on failure *state is NULL and `err` says why. */
struct pcap_split_result {
	uint64_t files;          /* files created */
	uint64_t packets;        /* packets written */
	uint64_t reopens;        /* files reopened after the open-file limit */
	uint64_t dropped_linktype; /* a second link type in a pcap leg */
	uint64_t dropped_nomem;
	uint64_t write_errors;
	char error[512];         /* the first error, "" when none */
};
struct sess_sink output_pcap(const char *dir, bool pcapng, void **state,
			     char *err, size_t errsz);
/* Writes what is held, closes every file, frees the state. */
void output_pcap_end(void *state, struct pcap_split_result *res);

#endif
