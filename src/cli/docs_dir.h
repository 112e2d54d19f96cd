/* Where the documentation a hint points at is: installed (PREFIX/share/doc/vouch, beside
 * PREFIX/bin/vouch, or the DOCDIR it was built for) or the checkout's docs/ (beside
 * build/vouch), so that "docs/configuration.md" in a hint names a file that is there. */
#ifndef VOUCH_DOCS_DIR_H
#define VOUCH_DOCS_DIR_H

/* The folder of the documentation, absolute, or NULL when none is found. Owned here. */
const char *docs_dir(void);

/* text with each "docs/" that begins a word replaced by docs_dir()'s folder and '/', and
 * "tools/demo/vouch.conf" by the example configuration's path (DOCDIR/examples/vouch.conf
 * when installed); a copy of text when no documentation is found. Caller frees. */
char *docs_paths(const char *text);

#endif
