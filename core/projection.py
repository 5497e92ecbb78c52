"""The projection contract: what a view is, and what a reader of views may meet.

A :class:`Projection` owns a few tables in the views database (``views.sqlite``) and folds
the log into them, in log order; the fold engine (:mod:`factfold.viewstore`) feeds it
events, keeps its checkpoint in the same transaction as its rows, and rebuilds it from
position 0 when its ``version`` changes.  Plugins subclass it (``factfold_register_projections``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

from factfold.events import Envelope, EventCodec
from factfold.events.codec import StoredRecord


@contextmanager
def savepoint(db: sqlite3.Connection, name: str) -> Iterator[None]:
    """Writes to the views that stand or fall together, inside the open transaction (or
    as one of their own).  A full disk may make SQLite roll back the whole transaction:
    then there is nothing left to roll back to or release."""
    db.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if db.in_transaction:
            db.execute(f"ROLLBACK TO {name}")
        raise
    finally:
        if db.in_transaction:
            db.execute(f"RELEASE {name}")


class ViewsOutdated(RuntimeError):
    """A read-only store found views it cannot read: built for another version of a view,
    or not built yet.  Only the process that may write the store rebuilds them."""


class ViewsDamaged(ViewsOutdated):
    """The views file is not a (whole) SQLite database.  The views are disposable: a
    writer sets the file aside and rebuilds them from the log; a reader only says so."""


class Projection:
    """Base class for a view.  Subclasses set ``name`` and implement the methods below.

    ``handles`` narrows the events delivered to ``apply`` (event type names); ``None``
    means every event.  ``columns`` orders the fields ``factfold query`` shows.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    handles: ClassVar[frozenset[str] | None] = None
    columns: ClassVar[tuple[str, ...]] = ()

    def create(self, db: sqlite3.Connection) -> None:
        """Create this projection's tables and indexes (``IF NOT EXISTS``)."""
        raise NotImplementedError

    def create_indexes(self, db: sqlite3.Connection) -> None:
        """Create the secondary indexes that only queries need (``IF NOT EXISTS``).

        Kept apart from :meth:`create` so a rebuild can build each index once, after the
        fold, instead of updating it row by row.  A view whose fold reads an index of its
        own creates that one in :meth:`create`.  Called once a fold from empty is done,
        and at every start (which finishes a fold cut short): it also puts back what
        :meth:`loosen` set aside.
        """

    def loosen(self, db: sqlite3.Connection) -> None:
        """Optional: this view is empty and about to be folded from its start in one long
        catch-up.  It may set aside keys that its fold needs only to resolve conflicts (a
        later row of a key replacing an earlier one), so that its rows go in at the end
        of their tables; :meth:`create_indexes` must then key them again, resolving the
        conflicts as the fold would have (:mod:`factfold.views.keyed`).  Nothing reads
        the view's tables until then.
        """

    def drop(self, db: sqlite3.Connection) -> None:
        """Drop this projection's tables, for a rebuild."""
        raise NotImplementedError

    def apply(self, db: sqlite3.Connection, env: Envelope) -> None:
        """Fold one recorded event into the tables."""
        raise NotImplementedError

    def apply_many(self, db: sqlite3.Connection, envelopes: Sequence[Envelope]) -> None:
        """Fold consecutive events (already narrowed by ``handles``), in order.

        Catch-up and replay hand events over in chunks, so a view can write them with a few
        ``executemany`` calls instead of a statement per event; the default folds one by one.
        """
        for env in envelopes:
            self.apply(db, env)

    def prepare_records(self, codec: EventCodec,
                        records: Sequence[tuple[int, StoredRecord]]) -> Any:
        """Optional fast path for catch-up and replay, with :meth:`write_prepared`: the half
        of folding stored records that needs no database.

        ``records`` are ``(position, record)`` pairs as :meth:`EventCodec.unpack_records`
        gives them (type name, schema version, ..., payload still encoded), already narrowed
        by ``handles``, unknown types included.  Return what :meth:`write_prepared` needs to
        fold exactly what :meth:`apply` would (``codec.from_record`` decodes any record not
        read raw); it must pickle, because a long replay prepares chunks in another process
        while this one writes.  Views without the pair get envelopes in :meth:`apply_many`.
        """
        raise NotImplementedError

    def write_prepared(self, db: sqlite3.Connection, prepared: Any) -> None:
        """Fold what :meth:`prepare_records` returned for consecutive records, in order."""
        raise NotImplementedError

    def query(self, db: sqlite3.Connection, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        """Rows for ``factfold query NAME``; ``filters`` are ``key=value`` pairs from the CLI."""
        raise NotImplementedError

    def filter_fields(self) -> tuple[str, ...] | None:
        """The fields ``factfold query NAME -f FIELD=VALUE`` filters on, so that a mistyped
        field is an error instead of an empty answer; None leaves every filter to ``query``."""
        return None
