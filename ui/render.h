/* render.h - pieces of text shared by the human-readable outputs. */
#ifndef WSTAP_RENDER_H
#define WSTAP_RENDER_H

#include "obuf.h"
#include "session.h"

/* "client > proxy" etc.: who spoke to whom, as the transcript labels it. */
const char *render_head_label(const struct leg *l, enum dir d);
/* One message as one line (no newline): "client > server  text 12
 * bytes: test message", text and binary previews escaped and elided. */
void render_message_line(struct obuf *o, const struct leg_message *m,
			 size_t preview_max);
/* A hex dump of bytes, 16 per line, each line indented by `indent`. */
void render_hexdump(struct obuf *o, const uint8_t *p, size_t n,
		    const char *indent);
/* The raw head, line by line, escaped, CR dropped, then a blank line. */
void render_head(struct obuf *o, const uint8_t *raw, size_t n, bool truncated);
/* "  error accept_mismatch: ..." lines for the notes. */
void render_notes(struct obuf *o, const struct leg *l, const char *indent);

#endif
