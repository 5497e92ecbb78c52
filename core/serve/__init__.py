"""``factfold serve``: Datasette over a store's views, read-only.

Datasette opens ``views.sqlite`` as a mutable database in SQLite's ``mode=ro``: it never
writes, and every query reads the last commit of the store's writer, so a running
``factfold watch``'s new facts show without a restart.  The metadata (descriptions,
facets, canned queries) is built from the tables' definitions (:mod:`.metadata`); the
document page that a fact's evidence links to is a plugin registered in this process
(:mod:`.documents`); :mod:`.app` puts them together.  Datasette is an optional extra
(``pip install 'factfold[serve]'``): only :mod:`.app` and :mod:`.documents` import it.
"""
