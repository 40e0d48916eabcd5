/* keylog.c - NSS key log parsing and lookup by client random.
 * Format: https://nss-crypto.org/reference/security/nss/legacy/key_log_format
 * (the same as OpenSSL's SSL_CTX_set_keylog_callback writes). */
#include "keylog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct keylog {
	struct keylog_entry *entries;
	uint32_t n_entries, cap_entries;
	uint32_t *index;       /* open addressing: entry number + 1, 0 empty */
	uint32_t index_size;   /* power of two, at least twice n_entries */
	uint64_t seed;         /* keys the hash: a capture's DSB is untrusted
	                          and could otherwise pick colliding randoms */
	char line[KEYLOG_LINE_MAX];
	size_t line_len;
	bool line_long;        /* the current line overflowed: it is bad */
	struct keylog_stats st;
};

static const struct {
	const char *label;
	int secret;            /* enum keylog_secret, or -1: known, skipped */
} labels[] = {
	{ "CLIENT_RANDOM", KL_MASTER },
	{ "CLIENT_HANDSHAKE_TRAFFIC_SECRET", KL_CLIENT_HS },
	{ "SERVER_HANDSHAKE_TRAFFIC_SECRET", KL_SERVER_HS },
	{ "CLIENT_TRAFFIC_SECRET_0", KL_CLIENT_AP },
	{ "SERVER_TRAFFIC_SECRET_0", KL_SERVER_AP },
	{ "CLIENT_EARLY_TRAFFIC_SECRET", -1 },
	{ "EARLY_EXPORTER_SECRET", -1 },
	{ "EXPORTER_SECRET", -1 },
	/* OpenSSL 3 logs each KeyUpdate's secret under these (literal
	 * "_N"); the next generation is derived anyway (RFC 8446 §7.2). */
	{ "CLIENT_TRAFFIC_SECRET_N", -1 },
	{ "SERVER_TRAFFIC_SECRET_N", -1 },
	{ "RSA", -1 },          /* encrypted pre-master: needs the RSA key */
};

struct keylog *keylog_new(void)
{
	struct keylog *kl = calloc(1, sizeof *kl);

	if (!kl)
		return NULL;
	if (getrandom(&kl->seed, sizeof kl->seed, GRND_NONBLOCK) !=
	    (ssize_t)sizeof kl->seed)
		kl->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)kl;
	return kl;
}

void keylog_free(struct keylog *kl)
{
	if (!kl)
		return;
	free(kl->entries);
	free(kl->index);
	free(kl);
}

const struct keylog_stats *keylog_stats(const struct keylog *kl)
{
	return &kl->st;
}

static uint32_t hash_random(const struct keylog *kl, const uint8_t r[32])
{
	uint64_t h = kl->seed;

	/* A keyed multiply-xorshift over the random's 32 bytes. */
	for (int i = 0; i < 32; i += 8) {
		uint64_t w = 0;
		memcpy(&w, r + i, 8);
		h ^= w;
		h *= 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static const struct keylog_entry *find(const struct keylog *kl,
				       const uint8_t r[32], uint32_t *slot)
{
	if (!kl->index_size) {
		*slot = 0;
		return NULL;
	}
	uint32_t mask = kl->index_size - 1;
	uint32_t i = hash_random(kl, r) & mask;
	while (kl->index[i]) {
		const struct keylog_entry *e = &kl->entries[kl->index[i] - 1];
		if (memcmp(e->random, r, 32) == 0) {
			*slot = i;
			return e;
		}
		i = (i + 1) & mask;
	}
	*slot = i;
	return NULL;
}

const struct keylog_entry *keylog_find(const struct keylog *kl,
				       const uint8_t random[32])
{
	uint32_t slot;
	return find(kl, random, &slot);
}

static bool grow_index(struct keylog *kl)
{
	uint32_t size = kl->index_size ? kl->index_size * 2 : 64;
	uint32_t *idx = calloc(size, sizeof *idx);

	if (!idx)
		return false;
	for (uint32_t e = 0; e < kl->n_entries; e++) {
		uint32_t i = hash_random(kl, kl->entries[e].random) & (size - 1);
		while (idx[i])
			i = (i + 1) & (size - 1);
		idx[i] = e + 1;
	}
	free(kl->index);
	kl->index = idx;
	kl->index_size = size;
	return true;
}

/* The entry for a random, created when new; NULL at the cap or OOM. */
static struct keylog_entry *entry_for(struct keylog *kl, const uint8_t r[32])
{
	uint32_t slot;
	const struct keylog_entry *found = find(kl, r, &slot);

	if (found)
		return &kl->entries[found - kl->entries];
	if (kl->n_entries == KEYLOG_MAX_ENTRIES) {
		kl->st.cap_hits++;
		return NULL;
	}
	if (kl->n_entries == kl->cap_entries) {
		uint32_t cap = kl->cap_entries ? kl->cap_entries * 2 : 16;
		if (cap > KEYLOG_MAX_ENTRIES)
			cap = KEYLOG_MAX_ENTRIES;
		struct keylog_entry *ne = realloc(kl->entries, cap * sizeof *ne);
		if (!ne)
			return NULL;
		kl->entries = ne;
		kl->cap_entries = cap;
	}
	/* Keep the index at most half full so probes stay short. */
	if ((kl->n_entries + 1) * 2 > kl->index_size) {
		if (!grow_index(kl))
			return NULL;
		find(kl, r, &slot);
	}
	struct keylog_entry *e = &kl->entries[kl->n_entries];
	memset(e, 0, sizeof *e);
	memcpy(e->random, r, 32);
	kl->index[slot] = ++kl->n_entries;
	kl->st.entries = kl->n_entries;
	return e;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes exactly n hex digits into n/2 bytes.  By table: a key log of
 * tens of thousands of lines is mostly hex digits. */
static bool unhex(const char *s, size_t n, uint8_t *out)
{
	static int8_t val[256];
	static bool built;

	if (!built) {
		for (int c = 0; c < 256; c++)
			val[c] = (int8_t)hexval((char)c);
		built = true;
	}
	if (n % 2)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = val[(uint8_t)s[i]], lo = val[(uint8_t)s[i + 1]];
		if ((hi | lo) < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static void bad_line(struct keylog *kl)
{
	kl->st.bad++;
	if (!kl->st.first_bad)
		kl->st.first_bad = kl->st.lines;
}

/* One complete line without its end-of-line bytes. */
static void parse_line(struct keylog *kl, const char *s, size_t n)
{
	kl->st.lines++;
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0 || *s == '#')
		return;
	/* Three fields separated by single spaces. */
	const char *sp1 = memchr(s, ' ', n);
	if (!sp1) {
		bad_line(kl);
		return;
	}
	size_t label_len = (size_t)(sp1 - s);
	const char *f2 = sp1 + 1;
	size_t rest = n - label_len - 1;
	const char *sp2 = memchr(f2, ' ', rest);
	if (!sp2) {
		bad_line(kl);
		return;
	}
	size_t f2_len = (size_t)(sp2 - f2);
	const char *f3 = sp2 + 1;
	size_t f3_len = rest - f2_len - 1;

	int which = -2;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strlen(labels[i].label) == label_len &&
		    memcmp(labels[i].label, s, label_len) == 0) {
			which = labels[i].secret;
			break;
		}
	if (which == -2) {
		bad_line(kl);
		return;
	}
	if (which == -1) {
		kl->st.skipped++;
		return;
	}
	uint8_t random[32], secret[KEYLOG_SECRET_MAX];
	if (f2_len != 64 || !unhex(f2, 64, random) ||
	    f3_len > 2 * KEYLOG_SECRET_MAX || !unhex(f3, f3_len, secret)) {
		bad_line(kl);
		return;
	}
	size_t slen = f3_len / 2;
	/* A master secret is 48 bytes (RFC 5246 §8.1); a TLS 1.3 secret is
	 * the suite hash's length (RFC 8446 §7.1): 32 or 48. */
	if ((which == KL_MASTER && slen != 48) ||
	    (which != KL_MASTER && slen != 32 && slen != 48)) {
		bad_line(kl);
		return;
	}
	struct keylog_entry *e = entry_for(kl, random);
	if (!e)
		return;
	memcpy(e->secret[which], secret, slen);
	e->len[which] = (uint8_t)slen;
	kl->st.secrets++;
}

void keylog_feed(struct keylog *kl, const uint8_t *p, size_t n)
{
	while (n > 0) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (!kl->line_long) {
			if (take > sizeof kl->line - kl->line_len) {
				kl->line_long = true;
			} else {
				memcpy(kl->line + kl->line_len, p, take);
				kl->line_len += take;
			}
		}
		if (!nl)
			return;
		if (kl->line_long) {
			kl->st.lines++;
			bad_line(kl);
		} else {
			parse_line(kl, kl->line, kl->line_len);
		}
		kl->line_len = 0;
		kl->line_long = false;
		p += take + 1;
		n -= take + 1;
	}
}

void keylog_end(struct keylog *kl)
{
	if (kl->line_long) {
		kl->st.lines++;
		bad_line(kl);
	} else if (kl->line_len) {
		parse_line(kl, kl->line, kl->line_len);
	}
	kl->line_len = 0;
	kl->line_long = false;
}

bool keylog_load_file(struct keylog *kl, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[16384];
	size_t n;

	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		keylog_feed(kl, buf, n);
	bool ok = !ferror(f);
	int err = errno;
	fclose(f);
	keylog_end(kl);
	errno = err;
	return ok;
}
