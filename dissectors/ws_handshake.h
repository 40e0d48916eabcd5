/* ws_handshake.h - checks of the WebSocket opening handshake
 * (RFC 6455 §4.1, §4.2.1, §4.2.2; RFC 7692 §5, §7.1).
 *
 * Input: the header values of the Upgrade request and of its response,
 * as NUL-terminated strings (empty when absent; several fields of one
 * name joined with ", ").  Output: the check's results and notes through
 * a callback.  No allocation.
 */
#ifndef WSTAP_WS_HANDSHAKE_H
#define WSTAP_WS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "pmd_negotiate.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct ws_hs_request {
	const char *upgrade, *connection, *key, *version;
	const char *protocols;   /* Sec-WebSocket-Protocol offered */
	const char *extensions;  /* Sec-WebSocket-Extensions offered */
	bool key_seen;
};

struct ws_hs_response {
	int status;
	const char *upgrade, *connection, *accept;
	const char *protocol, *extensions;
	bool accept_seen;
};


enum ws_hs_problem {
	WS_HS_OK,
	WS_HS_NOT_101,           /* the server refused (or never upgraded) */
	WS_HS_ACCEPT_MISMATCH,   /* missing or wrong Sec-WebSocket-Accept */
	WS_HS_SUBPROTOCOL,       /* subprotocol not offered / none chosen */
	WS_HS_EXTENSION,         /* extension not offered, or an answer
	                            RFC 7692 §7.1 makes the client fail */
	WS_HS_BAD_UPGRADE,       /* 101 without Upgrade/Connection tokens */
};

struct ws_hs_result {
	enum ws_hs_problem problem;
	bool key_valid;          /* key decodes to 16 bytes (§4.1 item 7) */
	bool accept_valid;
	char expected_accept[32];
	struct ws_deflate_params deflate;
};

typedef void (*ws_hs_note_fn)(void *ctx, int level /* 0 info, 1 warn,
			      2 error */, const char *code, const char *text);

/* Checks the request alone (key, version, Upgrade/Connection tokens). */
void ws_hs_check_request(const struct ws_hs_request *rq,
			 struct ws_hs_result *res, ws_hs_note_fn note,
			 void *ctx);

/* Checks the response against the request; fills res. */
void ws_hs_check_response(const struct ws_hs_request *rq,
			  const struct ws_hs_response *rs,
			  struct ws_hs_result *res, ws_hs_note_fn note,
			  void *ctx);

/* base64(SHA-1(key + GUID)) into out (at least 29 bytes). */
void ws_accept_for_key(const char *key, size_t len, char *out);

/* True when the comma-separated list holds `token` (case-insensitive,
 * optional whitespace around elements, RFC 9110 §5.6.1). */
bool http_list_has_token(const char *list, const char *token);

#endif
