/* http_resync.c - HTTP/1.x start lines found by scanning (RFC 9112 §3,
 * §4; methods of RFC 9110 §9 and RFC 5789). */
#include "http_resync.h"

#include <stdbool.h>
#include <string.h>

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
	"TRACE", "PATCH",
};

/* "HTTP/1.x" at p, or as much of it as there is: 1 yes, 0 need more,
 * -1 no. */
static int version_at(const uint8_t *p, size_t n)
{
	static const char v[] = "HTTP/1.";
	size_t k = n < 7 ? n : 7;

	if (memcmp(p, v, k) != 0)
		return -1;
	if (n < 8)
		return 0;
	return p[7] == '0' || p[7] == '1' ? 1 : -1;
}

static bool digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* RFC 9112 §4: status-line = HTTP-version SP status-code SP [reason];
 * the reason is optional and some servers end right after the code. */
static enum http_resync_result status_line(const uint8_t *p, size_t n)
{
	static const size_t need = 13; /* "HTTP/1.1 200" and one more */
	int v = version_at(p, n);

	if (v < 0)
		return HTTP_RESYNC_NO;
	for (size_t i = 8; i < need; i++) {
		if (i >= n)
			return HTTP_RESYNC_MORE;
		uint8_t c = p[i];
		bool ok = i == 8 ? c == ' ' :
			  i < 12 ? digit(c) :
			  c == ' ' || c == '\r' || c == '\n';
		if (!ok)
			return HTTP_RESYNC_NO;
	}
	/* Status codes are 100-599 (RFC 9110 §15). */
	return p[9] >= '1' && p[9] <= '5' ? HTTP_RESYNC_RESPONSE :
					   HTTP_RESYNC_NO;
}

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version,
 * then CRLF (a bare LF is accepted, §2.2). */
static enum http_resync_result request_line(const uint8_t *p, size_t n)
{
	size_t m = 0;
	bool maybe = false;

	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		size_t len = strlen(methods[i]);
		size_t k = n < len + 1 ? n : len + 1;
		if (memcmp(p, methods[i], k < len ? k : len) != 0)
			continue;
		if (k <= len) {
			maybe = true; /* a prefix of this method so far */
			continue;
		}
		if (p[len] == ' ') {
			m = len;
			break;
		}
	}
	if (!m)
		return maybe ? HTTP_RESYNC_MORE : HTTP_RESYNC_NO;
	/* request-target: visible characters, no spaces. */
	size_t i = m + 1;
	size_t limit = m + 1 + HTTP_RESYNC_TARGET_MAX;
	for (; i < n && i < limit && p[i] != ' '; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return HTTP_RESYNC_NO;
	if (i == n)
		return HTTP_RESYNC_MORE;
	if (i == limit || i == m + 1)
		return HTTP_RESYNC_NO;
	i++;
	int v = version_at(p + i, n - i);
	if (v < 0)
		return HTTP_RESYNC_NO;
	if (v == 0 || n - i < 9)
		return HTTP_RESYNC_MORE;
	i += 8;
	if (p[i] == '\n')
		return HTTP_RESYNC_REQUEST;
	if (p[i] != '\r')
		return HTTP_RESYNC_NO;
	if (n - i < 2)
		return HTTP_RESYNC_MORE;
	return p[i + 1] == '\n' ? HTTP_RESYNC_REQUEST : HTTP_RESYNC_NO;
}

enum http_resync_result http_resync_line(const uint8_t *p, size_t n)
{
	if (n == 0)
		return HTTP_RESYNC_MORE;
	if (p[0] == 'H') {
		enum http_resync_result r = status_line(p, n);
		if (r != HTTP_RESYNC_NO)
			return r;
	}
	return request_line(p, n);
}
