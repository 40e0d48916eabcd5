/* base64.c - base64, standard alphabet with padding (RFC 4648 §4).
 *
 * Decoding is strict on purpose: wstap uses it to check Sec-WebSocket-Key,
 * which RFC 6455 §4.1 requires to be the base64 of exactly 16 bytes, so a
 * key that only a lenient decoder accepts is itself evidence to report. */
#include "base64.h"

#include <stdbool.h>
#include <string.h>

static const char b64_alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of one alphabet character, or B64_BAD.  '=' is B64_BAD here
 * because padding is handled separately, and only at the very end.
 * Range tests rather than a 256-entry table: keys are 24 characters. */
#define B64_BAD 0xFFu

static unsigned b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return B64_BAD;
}

size_t base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i = 0, o = 0;
	uint32_t v;

	/* RFC 4648 §4: each 24-bit group becomes four 6-bit characters,
	 * here two 12-bit halves looked up as character pairs (binary
	 * payloads in JSON Lines and HAR are encoded at this rate). */
	static char pairs[4096][2];
	static bool pairs_built;
	if (!pairs_built) {
		for (unsigned k = 0; k < 4096; k++) {
			pairs[k][0] = b64_alphabet[k >> 6];
			pairs[k][1] = b64_alphabet[k & 0x3F];
		}
		pairs_built = true;
	}
	while (n - i >= 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		memcpy(out + o, pairs[v >> 12], 2);
		memcpy(out + o + 2, pairs[v & 0xFFF], 2);
		o += 4;
		i += 3;
	}
	/* §4 cases (2) and (3): a final group of 8 or 16 bits is padded
	 * with zero bits to a whole character and then with '='. */
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64_alphabet[(v >> 18) & 0x3F];
		out[o++] = b64_alphabet[(v >> 12) & 0x3F];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[(v >> 18) & 0x3F];
		out[o++] = b64_alphabet[(v >> 12) & 0x3F];
		out[o++] = b64_alphabet[(v >> 6) & 0x3F];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

bool base64_decode(const char *in, size_t n, uint8_t *out, size_t out_cap,
		   size_t *out_len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t pad = 0, need, i, o = 0;
	unsigned v0, v1, v2, v3;

	if (out_len != NULL)
		*out_len = 0;

	/* RFC 4648 §4: encoded data is a whole number of 4-character
	 * groups; with padding required, any other length is invalid. */
	if (n % 4 != 0)
		return false;
	if (n == 0)
		return true;

	/* §4: at most two '=' and only at the end ("==" after 8 bits of
	 * data, "=" after 16).  A third '=' or one earlier is caught below
	 * as a character outside the alphabet. */
	if (s[n - 1] == '=') {
		pad = 1;
		if (s[n - 2] == '=')
			pad = 2;
	}

	/* Check the room before writing anything, so a failed decode for
	 * lack of space leaves out untouched.  (A bad character found
	 * later may leave earlier groups written; out_len stays 0.) */
	need = n / 4 * 3 - pad;
	if (need > out_cap)
		return false;

	/* Every full group but the last carries 3 bytes. */
	for (i = 0; i + 4 < n; i += 4) {
		v0 = b64_value(s[i]);
		v1 = b64_value(s[i + 1]);
		v2 = b64_value(s[i + 2]);
		v3 = b64_value(s[i + 3]);
		/* §3.3: characters outside the alphabet (and '=' not at the
		 * end) make the data invalid; we do not skip them. */
		if (v0 == B64_BAD || v1 == B64_BAD || v2 == B64_BAD ||
		    v3 == B64_BAD)
			return false;
		out[o++] = (uint8_t)(v0 << 2 | v1 >> 4);
		out[o++] = (uint8_t)((v1 & 0x0F) << 4 | v2 >> 2);
		out[o++] = (uint8_t)((v2 & 0x03) << 6 | v3);
	}

	/* The last group: 4, 3 or 2 data characters. */
	v0 = b64_value(s[i]);
	v1 = b64_value(s[i + 1]);
	v2 = pad >= 2 ? 0 : b64_value(s[i + 2]);
	v3 = pad >= 1 ? 0 : b64_value(s[i + 3]);
	if (v0 == B64_BAD || v1 == B64_BAD || v2 == B64_BAD || v3 == B64_BAD)
		return false;
	/* §3.5: the bits that pad the last character to a whole sextet
	 * must be zero in canonical encoding ("Zh==" is "Zg==" with a
	 * nonzero pad bit); a strict decoder rejects them. */
	if (pad == 2 && (v1 & 0x0F) != 0)
		return false;
	if (pad == 1 && (v2 & 0x03) != 0)
		return false;
	out[o++] = (uint8_t)(v0 << 2 | v1 >> 4);
	if (pad < 2)
		out[o++] = (uint8_t)((v1 & 0x0F) << 4 | v2 >> 2);
	if (pad < 1)
		out[o++] = (uint8_t)((v2 & 0x03) << 6 | v3);

	if (out_len != NULL)
		*out_len = o;
	return true;
}
