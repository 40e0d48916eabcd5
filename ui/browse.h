/* browse.h - `wstap -b`: the terminal browser over a capture file.
 *
 * The browser owns the loop: it reads the capture in chunks between
 * screen ticks (so the list fills while reading, and a live source can
 * append rows the same way), feeds the analyzer, whose sink is the
 * browser's store (browse_store.h), and redraws once per pass.
 */
#ifndef WSTAP_BROWSE_H
#define WSTAP_BROWSE_H

#include "analyzer.h"
#include "capture.h"

/* Runs the browser on o->path; returns the exit status (0, 1 when the
 * capture could not be read or was damaged, 2 for a bad filter). */
int browse_run(const struct capture_opts *o, const struct analyzer_cfg *cfg);

#endif
