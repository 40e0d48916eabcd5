/* link.h - finds the legs on both sides of one proxy.
 *
 * Legs offer keys as they learn them: the Sec-WebSocket-Key of an Upgrade
 * request (a proxy forwards it unchanged), the client random of a TLS
 * ClientHello (a CONNECT tunnel relays it byte for byte), the target of a
 * CONNECT that got 407 (for tying a retry to it).  Two legs offering the
 * same key are matched.  Keys are 16-byte nonces chosen at random by the
 * client, so a match is certain, not a guess.
 *
 * The index holds borrowed leg pointers; a leg withdraws its keys with
 * link_forget before it is freed. */
#ifndef WSTAP_LINK_H
#define WSTAP_LINK_H

#include <stddef.h>
#include <stdint.h>

enum link_kind {
	LK_WS_KEY,      /* Sec-WebSocket-Key of the Upgrade request */
	LK_TLS_RANDOM,  /* ClientHello random */
	LK_AUTH_407,    /* client address + proxy + CONNECT target of a 407 */
};

#define LINK_KEY_MAX 160
#define LINK_PER_LEG 4

struct link_entry;
struct link_index;
struct leg_state;

struct link_index *link_new(void);
void link_free(struct link_index *ix);

/* Looks for another leg that offered (kind, key) and returns it, or NULL;
 * when `keep` is set the key is also remembered for this leg (at most
 * LINK_PER_LEG keys per leg; more are ignored). */
struct leg_state *link_find(struct link_index *ix, struct leg_state *ls,
			    enum link_kind kind, const void *key, size_t n,
			    int keep);

/* Withdraws every key of a leg. */
void link_forget(struct link_index *ix, struct leg_state *ls);

#endif
