/* utf8.h - incremental UTF-8 validation (RFC 3629, as RFC 6455 §8.1
 * requires of text frames): the state carries across calls, so a code
 * point split between fragments or TCP segments is judged whole. */
#ifndef WSTAP_UTF8_H
#define WSTAP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_ACCEPT 0u   /* between code points: valid so far */
#define UTF8_REJECT 1u   /* invalid; sticky */

/* Advances the validator over n bytes; returns the new state: UTF8_ACCEPT,
 * UTF8_REJECT, or another value meaning "inside a code point" (valid so
 * far, more bytes needed).  Overlong forms, surrogates (U+D800..DFFF) and
 * code points above U+10FFFF are rejected. */
uint32_t utf8_validate(uint32_t state, const uint8_t *s, size_t n);

/* Length of the valid UTF-8 sequence at s[0..n) (1..4), or 0 when the
 * bytes there are not a complete valid sequence.  Stores the code point. */
size_t utf8_decode_one(const uint8_t *s, size_t n, uint32_t *cp);

#endif
