"""Tables owned by `listener`, as the named migration set "listener" (DESIGN §3).

Tables arrive with the features that need them; `opendeur.store.open_db()` applies this set.
"""

from sqlite_utils.migrations import Migrations

migrations = Migrations("listener")
