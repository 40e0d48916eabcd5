/* text.h - copying NUL-terminated text into fixed buffers. */
#ifndef WSTAP_TEXT_H
#define WSTAP_TEXT_H

#include <string.h>

/* Copies src into dst[size], cut to fit, always NUL-terminated; returns
 * the length copied.  What snprintf(dst, size, "%s", src) does, without
 * parsing a format for every header value of every connection. */
static inline size_t text_copy(char *dst, size_t size, const char *src)
{
	if (size == 0)
		return 0;
	size_t n = strnlen(src, size - 1);
	memmove(dst, src, n);
	dst[n] = '\0';
	return n;
}

#endif
