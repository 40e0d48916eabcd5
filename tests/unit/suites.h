/* suites.h - every CUnit suite of the unit test program, one per module.
 * Each test_<module>.c defines its add_<module>_suite(); main.c calls them
 * all.  An adder returns 0, or -1 when CUnit could not register. */
#ifndef WSTAP_TEST_SUITES_H
#define WSTAP_TEST_SUITES_H

int add_cursor_suite(void);
int add_sha1_suite(void);
int add_base64_suite(void);
int add_utf8_suite(void);
int add_http_parser_suite(void);
int add_ws_frame_suite(void);
int add_ws_message_suite(void);
int add_pmd_suite(void);
int add_deflate_scan_suite(void);
int add_ws_handshake_suite(void);
int add_decode_suite(void);
int add_tcp_reasm_suite(void);
int add_ipfrag_suite(void);
int add_ws_resync_suite(void);
int add_http_resync_suite(void);
int add_escape_suite(void);
int add_tls_hello_suite(void);
int add_legmap_suite(void);
int add_browse_suite(void);
int add_keylog_suite(void);
int add_tls_keys_suite(void);
int add_tls_decrypt_suite(void);
int add_tls_cert_suite(void);
int add_out_har_suite(void);
int add_pcap_records_suite(void);
int add_text_suite(void);

#endif
