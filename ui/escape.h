/* escape.h - captured bytes made safe for terminals and for JSON.
 *
 * Terminal: printable ASCII and valid UTF-8 letters pass; control bytes
 * (C0, DEL, C1 as UTF-8), bidirectional overrides and invalid UTF-8 are
 * written as \xNN (bytes) or \u{NNNN} (code points), so no captured byte
 * can move the cursor, change colours or reorder text.
 * JSON: a string body (without quotes) per RFC 8259 §7; invalid UTF-8
 * becomes U+FFFD; controls, DEL, C1 and bidi controls are \u-escaped so
 * the output is also terminal-safe.
 */
#ifndef WSTAP_ESCAPE_H
#define WSTAP_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "obuf.h"

void esc_term(struct obuf *o, const uint8_t *p, size_t n);
void esc_json(struct obuf *o, const uint8_t *p, size_t n);
/* A JSON string with quotes; NULL gives null. */
void json_str(struct obuf *o, const char *s);
void json_strn(struct obuf *o, const uint8_t *p, size_t n);
void json_base64(struct obuf *o, const uint8_t *p, size_t n);

#endif
