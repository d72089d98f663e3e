"""The PostgreSQL store: the same :class:`trialatlas.store.base.Store` as SQLite, pooled."""
