"""City onboarding (批量导入): files of committees, members, units, liaisons and workstations.

The way through: `files` turns an upload (CSV or XLSX) into a `Table`; `rows` turns each table
row into a typed row or row errors (pure); one importer per kind (`committees`, `members`,
`units`, `liaisons`, `workstations`) checks references, scope and the directory's current state,
works out what is new, changed or unchanged, and applies the changes set-based (COPY into a
staging table, then one INSERT and one UPDATE) inside the caller's single transaction.
"""
