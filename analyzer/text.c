/* text.c - formatting into fixed buffers. */
#include "text.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Output with vsnprintf's cut: at most size - 1 bytes kept, the count of
 * all of them returned. */
struct out {
	char *dst;
	size_t size, len;
};

static void put(struct out *o, const char *p, size_t n)
{
	if (o->len + 1 < o->size) {
		size_t room = o->size - 1 - o->len;
		memcpy(o->dst + o->len, p, n < room ? n : room);
	}
	o->len += n;
}

static void pad(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, &c, 1);
}

/* One parsed conversion; false when it is one text_vformat leaves to
 * vsnprintf. */
struct spec {
	bool zero;
	size_t width;
	bool has_prec;
	size_t prec;
	int len;                 /* 0 int, 1 long, 2 long long, 3 size_t,
	                            -1 short, -2 char */
	char conv;
};

static bool parse(const char **pf, struct spec *sp, va_list *ap)
{
	const char *f = *pf;

	memset(sp, 0, sizeof *sp);
	if (*f == '0') {
		sp->zero = true;
		f++;
	}
	if (*f == '-' || *f == '+' || *f == ' ' || *f == '#' || *f == '0' ||
	    *f == '*')
		return false;
	while (*f >= '0' && *f <= '9' && sp->width < 4096)
		sp->width = sp->width * 10 + (size_t)(*f++ - '0');
	if (*f == '.') {
		f++;
		sp->has_prec = true;
		if (*f == '*') {
			int p = va_arg(*ap, int);
			sp->prec = p < 0 ? 0 : (size_t)p;
			if (p < 0)
				sp->has_prec = false;
			f++;
		} else {
			while (*f >= '0' && *f <= '9' && sp->prec < 1u << 20)
				sp->prec = sp->prec * 10 + (size_t)(*f++ - '0');
		}
	}
	if (f[0] == 'h' && f[1] == 'h') {
		sp->len = -2;
		f += 2;
	} else if (*f == 'h') {
		sp->len = -1;
		f++;
	} else if (f[0] == 'l' && f[1] == 'l') {
		sp->len = 2;
		f += 2;
	} else if (*f == 'l') {
		sp->len = 1;
		f++;
	} else if (*f == 'z') {
		sp->len = 3;
		f++;
	}
	sp->conv = *f;
	if (!strchr("sdiuxcf%", sp->conv) || sp->conv == '\0')
		return false;
	/* %f only as %.Nf (N <= 6) without width: the delays in the
	 * explanations */
	if (sp->conv == 'f') {
		if (!sp->has_prec || sp->prec > 6 || sp->width || sp->zero ||
		    sp->len != 0)
			return false;
		*pf = f + 1;
		return true;
	}
	/* a precision on an integer, or a zero flag on a string, is rare:
	 * left to vsnprintf, whose rules for them are subtle */
	if (sp->has_prec && sp->conv != 's')
		return false;
	if (sp->zero && (sp->conv == 's' || sp->conv == 'c'))
		return false;
	*pf = f + 1;
	return true;
}

/* v as "%.Nf" writes it, or false when that needs printf's exact
 * rounding.  Below 2^50 the product v * 10^N is within 1/16 of a unit of
 * the exact value, so rounding it gives printf's digits unless the exact
 * value lies near a half: those, negative and huge values are printf's. */
static bool put_fixed(struct out *o, unsigned prec, double v)
{
	static const double scale[7] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };

	if (!(v >= 0))
		return false;
	double m = v * scale[prec];
	if (!(m < 1125899906842624.0)) /* 2^50 */
		return false;
	uint64_t k = (uint64_t)m; /* m >= 0: truncation is floor */
	double frac = m - (double)k;
	if (frac > 0.4 && frac < 0.6)
		return false;
	if (frac >= 0.6)
		k++;
	char tmp[32];
	size_t i = sizeof tmp;
	for (unsigned d = 0; d < prec; d++) {
		tmp[--i] = (char)('0' + k % 10);
		k /= 10;
	}
	if (prec)
		tmp[--i] = '.';
	do {
		tmp[--i] = (char)('0' + k % 10);
		k /= 10;
	} while (k);
	put(o, tmp + i, sizeof tmp - i);
	return true;
}

static void put_number(struct out *o, const struct spec *sp, bool neg,
		       unsigned long long v)
{
	char digits[24];
	size_t n = 0;
	unsigned base = sp->conv == 'x' ? 16 : 10;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	size_t body = n + (neg ? 1 : 0);
	size_t fill = sp->width > body ? sp->width - body : 0;
	if (!sp->zero)
		pad(o, ' ', fill);
	if (neg)
		put(o, "-", 1);
	if (sp->zero)
		pad(o, '0', fill);
	while (n)
		put(o, &digits[--n], 1);
}

int text_vformat(char *dst, size_t size, const char *fmt, va_list ap)
{
	struct out o = { dst, size, 0 };
	const char *f = fmt;
	va_list copy, args;

	va_copy(copy, ap);
	va_copy(args, ap);
	while (*f) {
		const char *pct = strchr(f, '%');
		if (!pct) {
			put(&o, f, strlen(f));
			break;
		}
		put(&o, f, (size_t)(pct - f));
		f = pct + 1;
		struct spec sp;
		if (!parse(&f, &sp, &args))
			goto not_ours;
		switch (sp.conv) {
		case 'f':
			if (!put_fixed(&o, (unsigned)sp.prec,
				       va_arg(args, double)))
				goto not_ours;
			break;
		case '%':
			put(&o, "%", 1);
			break;
		case 'c': {
			char c = (char)va_arg(args, int);
			pad(&o, ' ', sp.width > 1 ? sp.width - 1 : 0);
			put(&o, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			size_t n = sp.has_prec ? strnlen(s, sp.prec) : strlen(s);
			pad(&o, ' ', sp.width > n ? sp.width - n : 0);
			put(&o, s, n);
			break;
		}
		case 'd':
		case 'i': {
			long long v = sp.len == 2 ? va_arg(args, long long) :
				      sp.len == 1 ? va_arg(args, long) :
				      sp.len == 3 ? (long long)va_arg(args, size_t) :
				      sp.len == -1 ? (short)va_arg(args, int) :
				      sp.len == -2 ? (signed char)va_arg(args, int) :
				      va_arg(args, int);
			unsigned long long m = v < 0 ? 0ull - (unsigned long long)v :
						       (unsigned long long)v;
			put_number(&o, &sp, v < 0, m);
			break;
		}
		default: { /* u, x */
			unsigned long long v =
				sp.len == 2 ? va_arg(args, unsigned long long) :
				sp.len == 1 ? va_arg(args, unsigned long) :
				sp.len == 3 ? va_arg(args, size_t) :
				sp.len == -1 ? (unsigned short)va_arg(args, unsigned) :
				sp.len == -2 ? (unsigned char)va_arg(args, unsigned) :
				va_arg(args, unsigned);
			put_number(&o, &sp, false, v);
			break;
		}
		}
	}
	va_end(args);
	va_end(copy);
	if (size)
		dst[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? -1 : (int)o.len;
not_ours:
	/* a conversion left to vsnprintf: the whole text by it */
	va_end(args);
	int n = vsnprintf(dst, size, fmt, copy);
	va_end(copy);
	return n;
}

int text_format(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = text_vformat(dst, size, fmt, ap);
	va_end(ap);
	return n;
}
