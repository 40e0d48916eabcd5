/* render.c - shared human-readable renderings. */
#include "render.h"

#include <string.h>

#include "escape.h"

const char *render_head_label(const struct leg *l, enum dir d)
{
	bool proxy = l->via == VIA_CONNECT || l->via == VIA_FORWARD;
	if (d == DIR_CLIENT)
		return proxy ? "client > proxy" : "client > server";
	return proxy ? "proxy > client" : "server > client";
}

void render_message_line(struct obuf *o, const struct leg_message *m,
			 size_t preview_max)
{
	obuf_puts(o, m->dir == DIR_CLIENT ? "client > server  " :
					    "server > client  ");
	obuf_puts(o, opcode_name(m->opcode));
	obuf_putc(o, ' ');
	obuf_u64(o, m->length);
	obuf_puts(o, m->length == 1 ? " byte" : " bytes");
	if (m->compressed) {
		obuf_puts(o, " (compressed, ");
		obuf_u64(o, m->wire_length);
		obuf_puts(o, " on the wire)");
	}
	if (m->frames > 1) {
		obuf_puts(o, " in ");
		obuf_u64(o, m->frames);
		obuf_puts(o, " frames");
	}
	if (m->opcode == 0x8) {
		if (m->has_close_code) {
			obuf_puts(o, ": ");
			obuf_u64(o, m->close_code);
			if (m->reason_len) {
				obuf_puts(o, " \"");
				esc_term(o, m->reason, m->reason_len);
				obuf_putc(o, '"');
			}
		}
	} else if (m->data && m->data_len) {
		size_t n = m->data_len < preview_max ? m->data_len : preview_max;
		obuf_puts(o, ": ");
		if (m->opcode == 0x1 || m->opcode == 0x9 || m->opcode == 0xA) {
			/* Do not cut inside a UTF-8 sequence: back up to a
			 * lead byte. */
			while (n < m->data_len && n > 0 &&
			       (m->data[n] & 0xc0) == 0x80)
				n--;
			esc_term(o, m->data, n);
		} else {
			static const char hx[] = "0123456789abcdef";
			if (n > preview_max / 4)
				n = preview_max / 4;
			for (size_t i = 0; i < n; i++) {
				if (i)
					obuf_putc(o, ' ');
				obuf_putc(o, hx[m->data[i] >> 4]);
				obuf_putc(o, hx[m->data[i] & 15]);
			}
		}
		if (n < m->length) {
			obuf_puts(o, " ... (");
			obuf_u64(o, m->length - n);
			obuf_puts(o, " more bytes)");
		}
	}
	if (m->truncated)
		obuf_puts(o, " [truncated]");
	if (m->opcode == 0x1 && !m->utf8_valid)
		obuf_puts(o, " [invalid UTF-8]");
}

void render_hexdump(struct obuf *o, const uint8_t *p, size_t n,
		    const char *indent)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t off = 0; off < n; off += 16) {
		obuf_puts(o, indent);
		obuf_printf(o, "%08zx  ", off);
		for (size_t i = 0; i < 16; i++) {
			if (off + i < n) {
				obuf_putc(o, hx[p[off + i] >> 4]);
				obuf_putc(o, hx[p[off + i] & 15]);
				obuf_putc(o, ' ');
			} else {
				obuf_puts(o, "   ");
			}
			if (i == 7)
				obuf_putc(o, ' ');
		}
		obuf_puts(o, " |");
		for (size_t i = 0; i < 16 && off + i < n; i++) {
			uint8_t b = p[off + i];
			obuf_putc(o, b >= 0x20 && b < 0x7f ? (char)b : '.');
		}
		obuf_puts(o, "|\n");
	}
}

void render_head(struct obuf *o, const uint8_t *raw, size_t n, bool truncated)
{
	size_t i = 0;

	while (i < n) {
		size_t e = i;
		while (e < n && raw[e] != '\n')
			e++;
		size_t len = e - i;
		if (len && raw[i + len - 1] == '\r')
			len--;
		if (len == 0 && e + 1 >= n)
			break; /* the empty line that ends the head */
		esc_term(o, raw + i, len);
		obuf_putc(o, '\n');
		i = e + 1;
	}
	if (truncated)
		obuf_puts(o, "[head cut: longer than the copy kept]\n");
	obuf_putc(o, '\n');
}

void render_notes(struct obuf *o, const struct leg *l, const char *indent)
{
	for (unsigned i = 0; i < l->n_notes; i++) {
		obuf_puts(o, indent);
		obuf_puts(o, note_level_name(l->notes[i].level));
		obuf_putc(o, ' ');
		esc_term(o, (const uint8_t *)l->notes[i].code,
			 strlen(l->notes[i].code));
		obuf_puts(o, ": ");
		esc_term(o, (const uint8_t *)l->notes[i].text,
			 strlen(l->notes[i].text));
		obuf_putc(o, '\n');
	}
	if (l->notes_dropped)
		obuf_printf(o, "%s(%llu more notes not kept)\n", indent,
			    (unsigned long long)l->notes_dropped);
}
