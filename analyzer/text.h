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

/* vsnprintf's result for the conversions the analyzer's sentences use
 * (%s %.*s %d %u %x %c and %%, with l/ll/z/h and a width or zero fill),
 * parsed here; any other conversion (%f, a '-' flag...) hands the whole
 * format to vsnprintf.  glibc's printf machinery was a tenth of the time
 * spent on short connections (their explanations and notes). */
#include <stdarg.h>
int text_vformat(char *dst, size_t size, const char *fmt, va_list ap);
int text_format(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
