"""Tables owned by `themesites`, as the named migration set "themesites" (DESIGN §3).

Tables arrive with the features that need them; `opendeur.store.open_db()` applies this set.
"""

from sqlite_utils.migrations import Migrations

migrations = Migrations("themesites")
