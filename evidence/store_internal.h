/* For the store's own modules (evidence/store_*.c) only: the SQLite connection
 * behind a store. Nothing outside evidence/ includes this. */
#ifndef VOUCH_STORE_INTERNAL_H
#define VOUCH_STORE_INTERNAL_H

#include <sqlite3.h>

#include "evidence/store.h"

sqlite3 *store_sqlite(store *st);

#endif
