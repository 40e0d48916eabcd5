/* browse.h - `wstap -b`: the terminal browser over a capture file or a
 * live interface.
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

/* Runs the browser on o->path, or, when `live` is not NULL, on the
 * interface it names (o is then unused): rows are added and counts
 * updated as packets arrive, until q, SIGINT or SIGTERM (or -c/-a stop
 * the capture, leaving the browser open).  Returns the exit status (0,
 * 1 when the capture could not be read or opened or was damaged, 2 for
 * a bad filter or no terminal).  Live, the capture's figures are printed
 * on stderr after the screen is restored, as without -b. */
int browse_run(const struct capture_opts *o, const struct live_opts *live,
	       const struct analyzer_cfg *cfg);

#endif
