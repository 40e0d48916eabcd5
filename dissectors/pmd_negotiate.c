/* pmd_negotiate.c - permessage-deflate offers and answer (RFC 7692 §7.1). */
#include "pmd_negotiate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

/* Parameters kept per element; permessage-deflate defines four, so a
 * few more than that is already a broken element. */
#define PMD_MAX_PARAMS 8
/* Offers compared with the answer; a client sends one or two. */
#define PMD_MAX_OFFERS 8
#define PMD_VAL_MAX 16

struct param {
	const char *name;
	size_t name_len;
	bool has_value;
	char value[PMD_VAL_MAX]; /* unquoted, NUL-terminated, maybe cut */
	size_t value_len;        /* full length (may exceed the copy) */
};

struct elem {
	struct param p[PMD_MAX_PARAMS];
	unsigned n;
	bool too_many;
	bool syntax;             /* not `name *( ";" param )` */
};

/* One side's parameters.  Window bits: 0 absent, -1 present without a
 * value (offers only), else 8..15. */
struct cfg {
	bool snct, cnct;
	int smwb, cmwb;
	bool valid;
	const char *code;        /* first problem */
	char why[200];
};

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 §5.6.2 tchar. */
static bool is_tchar(char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool span_ieq(const char *s, size_t n, const char *tok)
{
	if (n != strlen(tok))
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lower(tok[i]))
			return false;
	return true;
}

bool pmd_ext_each(const char *list,
		  bool (*fn)(const char *e, size_t n, void *arg), void *arg)
{
	const char *p = list;

	while (p && *p) {
		const char *s = p;
		bool quoted = false;

		/* A comma inside a quoted-string belongs to the value. */
		while (*p && (quoted || *p != ',')) {
			if (quoted && *p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = !quoted;
			p++;
		}
		size_t n = (size_t)(p - s);
		while (n && is_ows(*s)) {
			s++;
			n--;
		}
		while (n && is_ows(s[n - 1]))
			n--;
		if (n && fn(s, n, arg))
			return true;
		if (*p == ',')
			p++;
	}
	return false;
}

size_t pmd_ext_name_len(const char *e, size_t n)
{
	size_t i = 0;

	while (i < n && e[i] != ';' && !is_ows(e[i]))
		i++;
	return i;
}

/* Splits an element's parameters (RFC 6455 §9.1: extension-param =
 * token [ "=" (token | quoted-string) ]). */
static void parse_elem(const char *e, size_t n, struct elem *el)
{
	size_t i = pmd_ext_name_len(e, n);

	memset(el, 0, sizeof *el);
	for (;;) {
		while (i < n && is_ows(e[i]))
			i++;
		if (i == n)
			return;
		if (e[i] != ';') {
			el->syntax = true;
			return;
		}
		i++;
		while (i < n && is_ows(e[i]))
			i++;
		size_t ns = i;
		while (i < n && is_tchar(e[i]))
			i++;
		if (i == ns) {
			el->syntax = true;
			return;
		}
		struct param tmp = { .name = e + ns, .name_len = i - ns };
		while (i < n && is_ows(e[i]))
			i++;
		if (i < n && e[i] == '=') {
			tmp.has_value = true;
			i++;
			while (i < n && is_ows(e[i]))
				i++;
			bool quoted = i < n && e[i] == '"';
			if (quoted)
				i++;
			while (i < n && (quoted ? e[i] != '"' : is_tchar(e[i]))) {
				if (quoted && e[i] == '\\' && i + 1 < n)
					i++;
				if (tmp.value_len < PMD_VAL_MAX - 1)
					tmp.value[tmp.value_len] = e[i];
				tmp.value_len++;
				i++;
			}
			if (quoted) {
				if (i == n) {
					el->syntax = true;
					return;
				}
				i++; /* closing quote */
			}
			size_t kept = tmp.value_len < PMD_VAL_MAX - 1 ?
					      tmp.value_len : PMD_VAL_MAX - 1;
			tmp.value[kept] = '\0';
		}
		if (el->n < PMD_MAX_PARAMS)
			el->p[el->n++] = tmp;
		else
			el->too_many = true;
	}
}

/* RFC 7692 §7.1.2.1/§7.1.2.2: "a decimal integer value without leading
 * zeroes between 8 to 15 inclusive".  Returns 0 when it is not one. */
static int wbits_value(const struct param *p)
{
	const char *v = p->value;
	int x = 0;

	if (p->value_len == 0 || p->value_len > 2 || v[0] == '0')
		return 0;
	for (size_t i = 0; i < p->value_len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		x = x * 10 + (v[i] - '0');
	}
	return x >= 8 && x <= 15 ? x : 0;
}

struct reporter {
	pmd_note_fn note;
	void *ctx;
	bool answer;             /* problems are errors, each noted */
	struct cfg *c;
};

static void problem(struct reporter *r, const char *code, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

/* A parameter's name for a sentence: "%.*s" with at most 40 bytes. */
#define PNAME(p) (int)((p)->name_len > 40 ? 40 : (p)->name_len), (p)->name

/* Records (offers) or notes (the answer) one problem. */
static void problem(struct reporter *r, const char *code, const char *fmt,
		    ...)
{
	char text[200], buf[300];
	va_list ap;

	va_start(ap, fmt);
	text_vformat(text, sizeof text, fmt, ap);
	va_end(ap);
	if (r->c->valid) {
		r->c->valid = false;
		r->c->code = code;
		text_copy(r->c->why, sizeof r->c->why, text);
	}
	if (!r->answer || !r->note)
		return;
	text_format(buf, sizeof buf, "the 101's permessage-deflate %s; a "
		    "client MUST fail the connection (RFC 7692 §7.1)", text);
	r->note(r->ctx, 2, code, buf);
}

/* Reads the parameters of one element into c, checking each against
 * §7.1 for an offer or an answer. */
static void read_cfg(const struct elem *el, struct reporter *r)
{
	struct cfg *c = r->c;
	unsigned seen = 0;
	static const char *const names[] = {
		"server_no_context_takeover", "client_no_context_takeover",
		"server_max_window_bits", "client_max_window_bits",
	};

	memset(c, 0, sizeof *c);
	c->valid = true;
	if (el->syntax)
		problem(r, "deflate_param_syntax",
			"has a malformed parameter list");
	if (el->too_many)
		problem(r, "deflate_param_unknown",
			"has more than 8 parameters");
	for (unsigned i = 0; i < el->n; i++) {
		const struct param *p = &el->p[i];
		int k = -1;

		for (int j = 0; j < 4; j++)
			if (span_ieq(p->name, p->name_len, names[j]))
				k = j;
		if (k < 0) {
			problem(r, "deflate_param_unknown", "has the parameter "
				"'%.*s', which RFC 7692 does not define",
				PNAME(p));
			continue;
		}
		/* §7.1: "multiple extension parameters with the same name". */
		if (seen & (1u << k)) {
			problem(r, "deflate_param_duplicate", "has '%.*s' twice",
				PNAME(p));
			continue;
		}
		seen |= 1u << k;
		if (k < 2) {
			/* §7.1.1.1/§7.1.1.2: "This extension parameter has
			 * no value." */
			if (p->has_value) {
				problem(r, "deflate_param_value", "gives "
					"'%.*s' a value ('%s'); it takes none",
					PNAME(p), p->value);
				continue;
			}
			if (k == 0)
				c->snct = true;
			else
				c->cnct = true;
			continue;
		}
		int v = wbits_value(p);
		/* §7.1.2.2: only an offer's client_max_window_bits may come
		 * without a value. */
		if (k == 3 && !p->has_value && !r->answer) {
			c->cmwb = -1;
			continue;
		}
		if (!v) {
			if (p->has_value)
				problem(r, "deflate_bad_window", "gives '%.*s' "
					"the value '%s', not a window size of "
					"8 to 15 bits (RFC 7692 §7.1.2)",
					PNAME(p), p->value);
			else
				problem(r, "deflate_bad_window", "has '%.*s' "
					"without a value; it needs 8 to 15 "
					"(RFC 7692 §7.1.2)", PNAME(p));
			continue;
		}
		if (k == 2)
			c->smwb = v;
		else
			c->cmwb = v;
	}
}

/* Why the answer cannot accept this offer, or NULL (§7.1.1, §7.1.2). */
static const char *mismatch(const struct cfg *o, const struct cfg *a,
			    char *why, size_t n)
{
	if (o->snct && !a->snct) {
		snprintf(why, n, "lacks server_no_context_takeover, which the "
			 "client asked for (RFC 7692 §7.1.1.1: the server "
			 "accepts that offer by including it)");
		return "deflate_param_missing";
	}
	if (o->smwb > 0 && !a->smwb) {
		snprintf(why, n, "lacks server_max_window_bits although the "
			 "client asked for server_max_window_bits=%d (RFC 7692 "
			 "§7.1.2.1)", o->smwb);
		return "deflate_param_missing";
	}
	if (o->smwb > 0 && a->smwb > o->smwb) {
		snprintf(why, n, "has server_max_window_bits=%d, larger than "
			 "the %d the client asked for (RFC 7692 §7.1.2.1: the "
			 "same or a smaller value)", a->smwb, o->smwb);
		return "deflate_window_too_large";
	}
	if (!o->cmwb && a->cmwb) {
		snprintf(why, n, "has client_max_window_bits=%d but the client "
			 "did not offer client_max_window_bits (RFC 7692 "
			 "§7.1.2.2: the response MUST NOT include it then)",
			 a->cmwb);
		return "deflate_param_not_offered";
	}
	return NULL;
}

struct offers {
	struct cfg c[PMD_MAX_OFFERS];
	unsigned n;              /* permessage-deflate offers seen */
	struct reporter r;
};

static bool offer_fn(const char *e, size_t n, void *arg)
{
	struct offers *o = arg;
	struct elem el;
	size_t nl = pmd_ext_name_len(e, n);

	if (!span_ieq(e, nl, "permessage-deflate"))
		return false;
	o->n++;
	if (o->n > PMD_MAX_OFFERS)
		return false;
	parse_elem(e, n, &el);
	o->r.c = &o->c[o->n - 1];
	read_cfg(&el, &o->r);
	return false;
}

static void describe(const struct ws_deflate_params *p, char *buf, size_t n)
{
	snprintf(buf, n, "permessage-deflate in force: the server compresses "
		 "with a window of %d bits%s, the client with %d bits%s",
		 p->server_max_window_bits,
		 p->server_no_context_takeover ? " and no context takeover" :
						 " and context takeover",
		 p->client_max_window_bits,
		 p->client_no_context_takeover ? " and no context takeover" :
						 " and context takeover");
}

bool pmd_negotiate(const char *offers, const char *answer, size_t answer_len,
		   struct ws_deflate_params *p, pmd_note_fn note, void *ctx)
{
	struct offers os;
	struct elem el;
	struct cfg ans;
	struct reporter ar = { .note = note, .ctx = ctx, .answer = true,
			       .c = &ans };
	char buf[400];
	const char *code = NULL;
	unsigned best = 0;

	memset(&os, 0, sizeof os);
	memset(p, 0, sizeof *p);
	p->on = true;
	p->server_max_window_bits = 15;
	p->client_max_window_bits = 15;

	/* The offers: each must be valid, else the server MUST decline it
	 * (§7.1); recorded (not noted: r.answer is false) so a server that
	 * accepted one anyway is explained. */
	pmd_ext_each(offers, offer_fn, &os);
	p->offers = os.n;
	unsigned kept = os.n < PMD_MAX_OFFERS ? os.n : PMD_MAX_OFFERS;
	for (unsigned i = 0; i < kept; i++) {
		if (os.c[i].valid || !note)
			continue;
		snprintf(buf, sizeof buf, "the client's permessage-deflate offer "
			 "%u %s; a server MUST decline such an offer (RFC 7692 "
			 "§7.1)", i + 1, os.c[i].why);
		note(ctx, 1, "deflate_offer_invalid", buf);
	}

	/* The answer: every problem is one a client fails on. */
	parse_elem(answer, answer_len, &el);
	read_cfg(&el, &ar);

	/* The answer accepts one offer: the first it fits. */
	char why[240] = "";
	for (unsigned i = 0; i < kept && !p->offer; i++) {
		char w[240];
		const char *c;

		if (!os.c[i].valid)
			continue;
		c = mismatch(&os.c[i], &ans, w, sizeof w);
		if (!c) {
			p->offer = i + 1;
		} else if (!code) {
			code = c;
			best = i + 1;
			text_copy(why, sizeof why, w);
		}
	}
	if (!p->offer && code && note) {
		if (kept > 1)
			snprintf(buf, sizeof buf, "the 101's permessage-deflate "
				 "fits none of the client's %u offers; against "
				 "offer %u it %s; a client MUST fail the "
				 "connection (RFC 7692 §7.1)", kept, best, why);
		else
			snprintf(buf, sizeof buf, "the 101's permessage-deflate "
				 "%s; a client MUST fail the connection (RFC "
				 "7692 §7.1)", why);
		note(ctx, 2, code, buf);
	}
	p->valid = ans.valid && (p->offer || (!code && os.n));

	/* What each side uses: the answer's values, else what the accepted
	 * offer bound the client to (§7.1.2.2: a client that offered
	 * client_max_window_bits=N uses at most N), else 15. */
	const struct cfg *o = p->offer ? &os.c[p->offer - 1] :
			      best ? &os.c[best - 1] : NULL;
	p->server_no_context_takeover = ans.snct;
	p->client_no_context_takeover = ans.cnct;
	if (ans.smwb > 0)
		p->server_max_window_bits = ans.smwb;
	if (ans.cmwb > 0)
		p->client_max_window_bits = ans.cmwb;
	else if (o && o->cmwb > 0)
		p->client_max_window_bits = o->cmwb;
	if (o && o->cmwb > 0 && ans.cmwb > o->cmwb && note) {
		snprintf(buf, sizeof buf, "the 101 sets client_max_window_bits=%d "
			 "although the client offered at most %d; harmless (the "
			 "client may always use a smaller window) but some "
			 "clients fail the connection", ans.cmwb, o->cmwb);
		note(ctx, 1, "deflate_window_too_large", buf);
	}
	if (note) {
		describe(p, buf, sizeof buf);
		size_t l = strlen(buf);
		if (p->offer && os.n > 1)
			snprintf(buf + l, sizeof buf - l, " (offer %u of %u)",
				 p->offer, os.n);
		note(ctx, 0, "deflate_negotiated", buf);
		/* zlib's deflate refuses a raw 8-bit window, so zlib-based
		 * senders compress with 9 bits; its matches reach at most
		 * w_size - 262 = 250 bytes back, which an 8-bit inflater
		 * holds.  Worth saying when a sender then fails. */
		if (p->server_max_window_bits == 8 ||
		    p->client_max_window_bits == 8)
			note(ctx, 0, "deflate_window_8", "an 8-bit window was "
			     "negotiated; zlib cannot compress with one, so "
			     "zlib-based senders use 9 bits (their back "
			     "references stay within 250 bytes, which 8 bits "
			     "hold) and some libraries refuse 8 outright");
	}
	return p->valid;
}
