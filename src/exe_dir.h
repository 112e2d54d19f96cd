/* Folders that travel with the binary (templates, docs), found from where it runs. */
#ifndef VOUCH_EXE_DIR_H
#define VOUCH_EXE_DIR_H

/* The real path of dir when it holds a readable file named marker, else NULL. Caller frees. */
char *dir_with_marker(const char *dir, const char *marker);

/* The first of tries (paths relative to the running binary's folder, NULL-terminated)
 * that holds marker, as a real path; NULL when none does. Caller frees. */
char *dir_beside_exe(const char *const *tries, const char *marker);

#endif
