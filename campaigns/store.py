"""Tables owned by `campaigns`, as the named migration set "campaigns" (DESIGN §3).

Tables arrive with the features that need them; `opendeur.store.open_db()` applies this set.
"""

from sqlite_utils.migrations import Migrations

migrations = Migrations("campaigns")
