/* base64.h - base64 with the standard alphabet and padding (RFC 4648 §4). */
#ifndef WSTAP_BASE64_H
#define WSTAP_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output length for n input bytes, without the terminating NUL. */
#define BASE64_LEN(n) ((((n) + 2) / 3) * 4)

/* Encodes n bytes into out, which must hold BASE64_LEN(n) + 1 bytes; writes
 * a terminating NUL.  Returns the length written (without the NUL). */
size_t base64_encode(const uint8_t *in, size_t n, char *out);

/* Strict decoding (RFC 4648 §3.3: characters outside the alphabet are
 * rejected; length must be a multiple of 4; padding only at the end; the
 * unused bits before padding must be zero).  Writes at most out_cap bytes.
 * Returns false when the input is not canonical base64 or does not fit. */
bool base64_decode(const char *in, size_t n, uint8_t *out, size_t out_cap,
		   size_t *out_len);

#endif
