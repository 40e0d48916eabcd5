/* out_jsonl.c - JSON Lines (-T jsonl): one record per line, written as
 * events complete; keys in a fixed order (docs/jsonl.md). */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "outputs.h"

struct jsonl {
	struct obuf *o;
	struct output_opts opt;
};

static void key(struct obuf *o, const char *k, bool first)
{
	if (!first)
		obuf_putc(o, ',');
	obuf_putc(o, '"');
	obuf_puts(o, k);
	obuf_puts(o, "\":");
}

static void ts(struct obuf *o, double t)
{
	obuf_fixed6(o, t);
}

static void str_or_null(struct obuf *o, const char *s)
{
	json_str(o, s && s[0] ? s : NULL);
}

static void http_head(void *ctx, const struct leg *l, const struct http_head *h)
{
	struct jsonl *j = ctx;
	struct obuf *o = j->o;
	size_t line = 0;

	while (line < h->raw_len && h->raw[line] != '\r' && h->raw[line] != '\n')
		line++;
	obuf_puts(o, "{\"type\":\"http\"");
	key(o, "session", false);
	obuf_u64(o, l->id);
	key(o, "dir", false);
	json_str(o, dir_name(h->dir));
	key(o, "ts", false);
	ts(o, h->ts);
	key(o, "packet", false);
	obuf_u64(o, h->pkt);
	key(o, "kind", false);
	json_str(o, h->is_request ? "request" : "response");
	key(o, "start_line", false);
	json_strn(o, h->raw, line);
	key(o, "status", false);
	if (h->is_request)
		obuf_puts(o, "null");
	else
		obuf_printf(o, "%d", h->status);
	key(o, "head", false);
	json_strn(o, h->raw, h->raw_len);
	key(o, "head_truncated", false);
	obuf_puts(o, h->raw_truncated ? "true" : "false");
	obuf_putc(o, '}');
	obuf_eol(o);
}

static void message(void *ctx, const struct leg *l, const struct leg_message *m)
{
	struct jsonl *j = ctx;
	struct obuf *o = j->o;

	obuf_puts(o, "{\"type\":\"message\"");
	key(o, "session", false);
	obuf_u64(o, l->id);
	key(o, "dir", false);
	json_str(o, dir_name(m->dir));
	key(o, "ts", false);
	ts(o, m->ts);
	key(o, "packet", false);
	obuf_u64(o, m->pkt);
	key(o, "opcode", false);
	json_str(o, opcode_name(m->opcode));
	key(o, "length", false);
	obuf_u64(o, m->length);
	key(o, "wire_length", false);
	obuf_u64(o, m->wire_length);
	key(o, "compressed", false);
	obuf_puts(o, m->compressed ? "true" : "false");
	key(o, "frames", false);
	obuf_u64(o, m->frames);
	if (m->opcode == 0x8) {
		key(o, "code", false);
		if (m->has_close_code)
			obuf_u64(o, m->close_code);
		else
			obuf_puts(o, "null");
		key(o, "text", false);
		json_strn(o, m->reason, m->reason ? m->reason_len : 0);
	} else if (m->opcode == 0x1 && m->data) {
		key(o, "text", false);
		json_strn(o, m->data, m->data_len);
		key(o, "utf8_valid", false);
		obuf_puts(o, m->utf8_valid ? "true" : "false");
	} else if (m->data) {
		key(o, "data", false);
		json_base64(o, m->data, m->data_len);
	}
	key(o, "truncated", false);
	obuf_puts(o, m->truncated ? "true" : "false");
	obuf_putc(o, '}');
	obuf_eol(o);
}

static void counts(struct obuf *o, const struct msg_counts *c)
{
	obuf_printf(o, "{\"text\":%llu,\"binary\":%llu,\"ping\":%llu,"
		    "\"pong\":%llu,\"close\":%llu}",
		    (unsigned long long)c->text, (unsigned long long)c->binary,
		    (unsigned long long)c->ping, (unsigned long long)c->pong,
		    (unsigned long long)c->close);
}

/* The decryption and certificate part of the tls object. */
static void tls_details(struct obuf *o, const struct tls_info *t)
{
	obuf_puts(o, ",\"decrypted\":");
	obuf_puts(o, t->decrypted ? "true" : "false");
	obuf_puts(o, ",\"cipher\":");
	if (t->cipher)
		obuf_printf(o, "\"0x%04x\"", t->cipher);
	else
		obuf_puts(o, "null");
	obuf_puts(o, ",\"client_random\":");
	str_or_null(o, t->client_random);
	obuf_puts(o, ",\"keys\":");
	json_str(o, !t->keylog ? "no_keylog" : t->decrypt_failed ? "wrong" :
		    t->keys_found ? "found" : "missing");
	obuf_printf(o, ",\"records_decrypted\":{\"client\":%llu,\"server\":%llu}",
		    (unsigned long long)t->records_decrypted[0],
		    (unsigned long long)t->records_decrypted[1]);
	obuf_printf(o, ",\"key_updates\":{\"client\":%llu,\"server\":%llu}",
		    (unsigned long long)t->key_updates[0],
		    (unsigned long long)t->key_updates[1]);
	obuf_puts(o, ",\"hrr\":");
	obuf_puts(o, t->hrr ? "true" : "false");
	obuf_puts(o, ",\"cert\":");
	if (!t->cert_seen) {
		obuf_puts(o, "null");
		return;
	}
	obuf_puts(o, "{\"subject\":");
	json_str(o, t->cert.subject);
	obuf_puts(o, ",\"san\":");
	json_str(o, t->cert.san);
	obuf_puts(o, ",\"issuer\":");
	json_str(o, t->cert.issuer);
	obuf_puts(o, ",\"not_before\":");
	str_or_null(o, t->cert.not_before);
	obuf_puts(o, ",\"not_after\":");
	str_or_null(o, t->cert.not_after);
	obuf_printf(o, ",\"chain\":%u}", t->cert.chain);
}

static void leg_end(void *ctx, const struct leg *l)
{
	struct jsonl *j = ctx;
	struct obuf *o = j->o;

	obuf_puts(o, "{\"type\":\"session\"");
	key(o, "id", false);
	obuf_u64(o, l->id);
	key(o, "client", false);
	json_str(o, l->client.text);
	key(o, "server", false);
	json_str(o, l->server.text);
	key(o, "via", false);
	json_str(o, via_name(l->via));
	key(o, "target", false);
	str_or_null(o, l->target);
	key(o, "proxy_status", false);
	if (l->proxy_status)
		obuf_printf(o, "%d", l->proxy_status);
	else
		obuf_puts(o, "null");
	key(o, "tls", false);
	if (l->tls.seen) {
		obuf_puts(o, "{\"sni\":");
		str_or_null(o, l->tls.sni);
		obuf_puts(o, ",\"alpn\":");
		str_or_null(o, l->tls.alpn);
		obuf_printf(o, ",\"version\":\"0x%04x\",\"alert\":", l->tls.version);
		if (l->tls.alert_clear)
			obuf_printf(o, "%u", l->tls.alert_desc);
		else
			obuf_puts(o, "null");
		tls_details(o, &l->tls);
		obuf_putc(o, '}');
	} else {
		obuf_puts(o, "null");
	}
	key(o, "ws", false);
	if (l->ws.requested) {
		const struct ws_info *w = &l->ws;
		obuf_puts(o, "{\"path\":");
		json_str(o, w->path);
		obuf_puts(o, ",\"key\":");
		str_or_null(o, w->key);
		obuf_puts(o, ",\"accept\":");
		str_or_null(o, w->answered && w->status == 101 ? w->accept : NULL);
		obuf_puts(o, ",\"accept_valid\":");
		if (w->answered && w->status == 101)
			obuf_puts(o, w->accept_valid ? "true" : "false");
		else
			obuf_puts(o, "null");
		obuf_puts(o, ",\"expected_accept\":");
		str_or_null(o, w->answered ? w->expected_accept : NULL);
		obuf_puts(o, ",\"status\":");
		if (w->answered)
			obuf_printf(o, "%d", w->status);
		else
			obuf_puts(o, "null");
		obuf_puts(o, ",\"subprotocol\":");
		str_or_null(o, w->protocol);
		obuf_puts(o, ",\"extensions\":");
		str_or_null(o, w->extensions);
		obuf_puts(o, ",\"deflate\":");
		obuf_puts(o, w->deflate ? "true" : "false");
		obuf_putc(o, '}');
	} else {
		obuf_puts(o, "null");
	}
	key(o, "messages", false);
	obuf_puts(o, "{\"client\":");
	counts(o, &l->msgs[0]);
	obuf_puts(o, ",\"server\":");
	counts(o, &l->msgs[1]);
	obuf_putc(o, '}');
	key(o, "close", false);
	if (l->close.seen) {
		obuf_puts(o, "{\"by\":");
		json_str(o, dir_name(l->close.by));
		obuf_puts(o, ",\"code\":");
		if (l->close.has_code)
			obuf_u64(o, l->close.code);
		else
			obuf_puts(o, "null");
		obuf_puts(o, ",\"reason\":");
		json_strn(o, (const uint8_t *)l->close.reason, l->close.reason_len);
		obuf_putc(o, '}');
	} else {
		obuf_puts(o, "null");
	}
	key(o, "verdict", false);
	json_str(o, verdict_code(l->verdict));
	key(o, "explanation", false);
	json_str(o, l->explanation);
	key(o, "linked", false);
	if (l->linked)
		obuf_u64(o, l->linked);
	else
		obuf_puts(o, "null");
	key(o, "link", false);
	if (l->linked) {
		const struct link_info *li = &l->link;
		obuf_puts(o, "{\"confidence\":");
		json_str(o, li->confidence == LINK_CERTAIN ? "certain" : "likely");
		obuf_puts(o, ",\"side\":");
		json_str(o, li->client_side ? "client" : "server");
		obuf_puts(o, ",\"evidence\":");
		json_str(o, li->evidence);
		obuf_puts(o, ",\"request_delay_ms\":");
		if (li->request_delay >= 0)
			obuf_printf(o, "%.3f", li->request_delay * 1e3);
		else
			obuf_puts(o, "null");
		obuf_puts(o, ",\"response_delay_ms\":");
		if (li->response_delay >= 0)
			obuf_printf(o, "%.3f", li->response_delay * 1e3);
		else
			obuf_puts(o, "null");
		obuf_printf(o, ",\"messages_compared\":%llu,\"messages_changed\":%llu,"
			    "\"messages_unmatched\":%llu,\"max_added_delay_ms\":%.3f",
			    (unsigned long long)(li->compared[0] + li->compared[1]),
			    (unsigned long long)li->changed,
			    (unsigned long long)li->missing, li->max_delay * 1e3);
		obuf_puts(o, ",\"header_changes\":");
		str_or_null(o, li->header_changes);
		obuf_putc(o, '}');
	} else {
		obuf_puts(o, "null");
	}
	key(o, "retry_of", false);
	if (l->retry_of)
		obuf_u64(o, l->retry_of);
	else
		obuf_puts(o, "null");
	key(o, "retried_by", false);
	if (l->retried_by)
		obuf_u64(o, l->retried_by);
	else
		obuf_puts(o, "null");
	key(o, "proxy_software", false);
	str_or_null(o, l->proxy_software);
	key(o, "notes", false);
	obuf_putc(o, '[');
	for (unsigned i = 0; i < l->n_notes; i++) {
		if (i)
			obuf_putc(o, ',');
		obuf_puts(o, "{\"level\":");
		json_str(o, note_level_name(l->notes[i].level));
		obuf_puts(o, ",\"code\":");
		json_str(o, l->notes[i].code);
		obuf_puts(o, ",\"text\":");
		json_str(o, l->notes[i].text);
		obuf_putc(o, '}');
	}
	obuf_putc(o, ']');
	key(o, "notes_dropped", false);
	obuf_u64(o, l->notes_dropped);
	key(o, "stages", false);
	obuf_putc(o, '{');
	bool first = true;
	for (int s = 0; s < ST_COUNT; s++) {
		if (!l->stages[s].seen)
			continue;
		key(o, stage_name((enum stage)s), first);
		first = false;
		obuf_puts(o, "{\"ts\":");
		ts(o, l->stages[s].ts);
		obuf_puts(o, ",\"packet\":");
		obuf_u64(o, l->stages[s].pkt);
		obuf_putc(o, '}');
	}
	obuf_putc(o, '}');
	key(o, "packets", false);
	obuf_u64(o, l->packets);
	key(o, "bytes", false);
	obuf_printf(o, "{\"client\":%llu,\"server\":%llu}",
		    (unsigned long long)l->tcp_bytes[0],
		    (unsigned long long)l->tcp_bytes[1]);
	key(o, "gaps", false);
	obuf_u64(o, l->gaps);
	key(o, "midstream", false);
	obuf_puts(o, l->midstream ? "true" : "false");
	key(o, "gap_bytes", false);
	obuf_u64(o, l->gap_bytes);
	key(o, "ws_midstream", false);
	obuf_puts(o, l->ws_midstream ? "true" : "false");
	key(o, "resyncs", false);
	obuf_u64(o, l->resyncs);
	key(o, "resync_skipped", false);
	obuf_u64(o, l->resync_skipped);
	key(o, "overlap_mismatches", false);
	obuf_u64(o, l->overlap_mismatches);
	obuf_putc(o, '}');
	obuf_eol(o);
}

static void finish(void *ctx, const struct sess_stats *st)
{
	struct jsonl *j = ctx;
	struct obuf *o = j->o;

	obuf_puts(o, "{\"type\":\"stats\"");
#define C(name) do { key(o, #name, false); obuf_u64(o, st->name); } while (0)
	C(packets); C(bytes); C(tcp_packets); C(non_tcp); C(non_ip);
	C(truncated_packets); C(invalid_packets); C(unsupported_link);
	C(ip_fragments); C(flows); C(legs); C(legs_reported);
	C(ooo_segments); C(retransmitted_bytes); C(gaps); C(gap_bytes);
	C(ooo_cap_hits); C(memcap_hits); C(flow_cap_hits); C(ooo_peak_bytes);
	C(http_heads); C(http_errors); C(head_copy_truncated); C(messages);
	C(message_cap_hits); C(notes); C(notes_dropped); C(frame_violations);
	C(deflate_errors); C(deflate_bombs); C(deflate_desyncs);
	C(tls_decrypted_legs); C(tls_keys_missing); C(tls_decrypt_failures);
	C(tls_records_decrypted); C(tls_handshake_cap_hits);
	C(deflate_undecodable);
	C(ipv6_fragments); C(frag_reassembled); C(frag_timeouts);
	C(frag_cap_hits); C(frag_overlaps); C(frag_invalid);
	C(overlap_mismatches); C(overlap_mismatch_bytes);
	C(overlap_unverifiable); C(ring_cap_hits); C(keepalives);
	C(zero_window_probes); C(resyncs); C(resync_skipped_bytes);
	C(resync_cap_hits); C(linger_cap_hits);
	C(hold_cap_hits); C(pipeline_cap_hits);
#undef C
	obuf_putc(o, '}');
	obuf_eol(o);
}

struct sess_sink output_jsonl(struct obuf *o, const struct output_opts *opt,
			      void **state)
{
	struct jsonl *j = calloc(1, sizeof *j);
	struct sess_sink s = { 0 };

	*state = j;
	if (!j)
		return s;
	j->o = o;
	j->opt = *opt;
	s.ctx = j;
	s.http_head = http_head;
	s.message = message;
	s.leg_end = leg_end;
	s.finish = finish;
	s.want_payload = true;
	return s;
}

void output_free(void *state)
{
	free(state);
}
