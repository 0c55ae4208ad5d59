"""Files in and out: rubric files, schemas, score tables, streaming, atomic writes.

Rubric files are read and written by :mod:`~mgrlead.io.serialize`, their JSON
Schema and the profile's in :mod:`~mgrlead.io.schema`, score tables in
:mod:`~mgrlead.io.table`, large files scored in streams by
:mod:`~mgrlead.io.stream`, and files written atomically by :mod:`~mgrlead.io.files`.
"""
