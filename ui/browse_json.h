/* browse_json.h - JSON payloads pretty-printed for the payload pane.
 *
 * Validates a payload as one JSON text (RFC 8259) whose top level is an
 * object or an array, and when it is, writes it indented by two spaces
 * per level.  Strings are written as they appear in the payload (JSON
 * escapes kept), with anything unsafe for a terminal escaped (escape.h),
 * so no payload byte can drive the terminal.  Bounded: nesting deeper
 * than JSON_PRETTY_DEPTH is not pretty-printed, and output stops at the
 * caller's byte cap with a visible line saying so.
 */
#ifndef WSTAP_BROWSE_JSON_H
#define WSTAP_BROWSE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obuf.h"

#define JSON_PRETTY_DEPTH 64

/* True when p[0..n) is JSON with an object or array at the top. */
bool json_is_container(const uint8_t *p, size_t n);
/* Writes the pretty form to `o`; false (nothing written) when p is not
 * such JSON.  At most `max_out` bytes are written before a final
 * "[JSON view cut ...]" line. */
bool json_pretty(struct obuf *o, const uint8_t *p, size_t n, size_t max_out);

#endif
