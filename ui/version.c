/* version.c - `wstap -V`.  The library versions are asked of the
 * libraries at run time (not taken from the headers), so a user reports
 * what actually ran after a distribution upgrade.  Kept out of wstap.c
 * because <curses.h> defines macros (erase, timeout, move...) that would
 * leak into the command line code. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "version.h"

#include <curses.h>
#include <pcap/pcap.h>
#include <zlib.h>
#ifdef HAVE_LIBCRYPTO
#include <openssl/crypto.h>
#endif

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

void version_print(FILE *f)
{
	fprintf(f, "wstap %s\n", PACKAGE_VERSION);
	fprintf(f, "%s\n", pcap_lib_version());
	fprintf(f, "zlib %s\n", zlibVersion());
	fprintf(f, "%s\n", curses_version());
#ifdef HAVE_LIBCRYPTO
	fprintf(f, "%s\n", OpenSSL_version(OPENSSL_VERSION));
#endif
}
