/* browse_json.c - validate and pretty-print JSON payloads (RFC 8259). */
#include "browse_json.h"

#include "escape.h"

struct jp {
	const uint8_t *p, *end;
	struct obuf *o;          /* NULL: validate only */
	size_t out, max_out;
	bool cut;                /* the output cap was reached */
	int depth;
};

static void put(struct jp *j, const char *s, size_t n)
{
	if (!j->o || j->cut)
		return;
	if (n > j->max_out - j->out) {
		j->cut = true;
		return;
	}
	obuf_put(j->o, s, n);
	j->out += n;
}

static void newline(struct jp *j)
{
	static const char spaces[] = "                                ";

	put(j, "\n", 1);
	for (int i = 0; i < j->depth; i++)
		put(j, spaces, 2);
}

/* RFC 8259 §2: insignificant whitespace is space, tab, LF and CR. */
static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* RFC 8259 §7: a string; control characters must be escaped, and only
 * the listed escapes exist.  Written as it stands, made terminal-safe. */
static bool string(struct jp *j)
{
	const uint8_t *start = j->p;

	j->p++; /* the opening quote */
	for (;;) {
		if (j->p >= j->end)
			return false;
		uint8_t c = *j->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->end - j->p < 2)
				return false;
			uint8_t e = j->p[1];
			if (e == 'u') {
				if (j->end - j->p < 6)
					return false;
				for (int i = 2; i < 6; i++)
					if (!is_hex(j->p[i]))
						return false;
				j->p += 6;
				continue;
			}
			if (e != '"' && e != '\\' && e != '/' && e != 'b' &&
			    e != 'f' && e != 'n' && e != 'r' && e != 't')
				return false;
			j->p += 2;
			continue;
		}
		j->p++;
	}
	j->p++; /* the closing quote */
	if (!j->o || j->cut)
		return true;
	/* Printable ASCII (backslashes included: they are JSON escapes
	 * here) goes as it is; other bytes through the terminal escaper. */
	const uint8_t *q = start;
	while (q < j->p && !j->cut) {
		const uint8_t *r = q;
		if (*q >= 0x20 && *q < 0x7f) {
			while (r < j->p && *r >= 0x20 && *r < 0x7f)
				r++;
			put(j, (const char *)q, (size_t)(r - q));
		} else {
			while (r < j->p && !(*r >= 0x20 && *r < 0x7f))
				r++;
			esc_term(j->o, q, (size_t)(r - q));
			/* counted generously: escaping at most quadruples */
			j->out += (size_t)(r - q) * 4;
			if (j->out > j->max_out)
				j->cut = true;
		}
		q = r;
	}
	return true;
}

/* RFC 8259 §6: -? int frac? exp? with no leading zeros. */
static bool number(struct jp *j)
{
	const uint8_t *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return false;
	if (*j->p == '0') {
		j->p++;
	} else if (*j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		return false;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	put(j, (const char *)s, (size_t)(j->p - s));
	return true;
}

static bool literal(struct jp *j, const char *w, size_t n)
{
	if ((size_t)(j->end - j->p) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (j->p[i] != (uint8_t)w[i])
			return false;
	j->p += n;
	put(j, w, n);
	return true;
}

static bool value(struct jp *j);

/* An object or array: members on their own lines, one level deeper. */
static bool container(struct jp *j, uint8_t close, bool object)
{
	if (++j->depth > JSON_PRETTY_DEPTH)
		return false;
	put(j, object ? "{" : "[", 1);
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		put(j, object ? "}" : "]", 1);
		return true;
	}
	for (;;) {
		newline(j);
		ws(j);
		if (object) {
			if (j->p >= j->end || *j->p != '"' || !string(j))
				return false;
			ws(j);
			if (j->p >= j->end || *j->p != ':')
				return false;
			j->p++;
			put(j, ": ", 2);
			ws(j);
		}
		if (!value(j))
			return false;
		ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == ',') {
			j->p++;
			put(j, ",", 1);
			continue;
		}
		if (*j->p != close)
			return false;
		j->p++;
		j->depth--;
		newline(j);
		put(j, object ? "}" : "]", 1);
		return true;
	}
}

static bool value(struct jp *j)
{
	ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{': return container(j, '}', true);
	case '[': return container(j, ']', false);
	case '"': return string(j);
	case 't': return literal(j, "true", 4);
	case 'f': return literal(j, "false", 5);
	case 'n': return literal(j, "null", 4);
	default: return number(j);
	}
}

static bool run(struct jp *j)
{
	ws(j);
	if (j->p >= j->end || (*j->p != '{' && *j->p != '['))
		return false;
	if (!value(j))
		return false;
	ws(j);
	return j->p == j->end;
}

bool json_is_container(const uint8_t *p, size_t n)
{
	struct jp j = { .p = p, .end = p + n };

	return p && run(&j);
}

bool json_pretty(struct obuf *o, const uint8_t *p, size_t n, size_t max_out)
{
	if (!json_is_container(p, n))
		return false;
	struct jp j = { .p = p, .end = p + n, .o = o, .max_out = max_out };
	run(&j);
	if (j.cut)
		obuf_printf(o, "\n[JSON view cut at %zu bytes; v shows the text]",
			    max_out);
	obuf_putc(o, '\n');
	return true;
}
