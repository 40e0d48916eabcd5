/* version.h - `wstap -V`: the version from configure and the versions of
 * the libraries this process runs with. */
#ifndef WSTAP_VERSION_H
#define WSTAP_VERSION_H

#include <stdio.h>

/* One line each: "wstap X.Y.Z", then libpcap, zlib, ncurses and, when
 * built with it, OpenSSL, as each library names itself at run time. */
void version_print(FILE *f);

#endif
