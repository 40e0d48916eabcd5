/* outputs.h - the output formats, each a sess_sink over a struct obuf.
 * They read only the session model (analyzer/session.h). */
#ifndef WSTAP_OUTPUTS_H
#define WSTAP_OUTPUTS_H

#include <stdbool.h>

#include "obuf.h"
#include "session.h"

struct output_opts {
	bool hex;                /* -x: full hex dumps of payloads */
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
void output_free(void *state);

#endif
