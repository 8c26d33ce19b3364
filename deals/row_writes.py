"""Writing computed values to many rows: one statement for all of them, and inside
`writes_together` one write per row for everything a block computes.

The refresh at the end of an ingest batch (deals/derived.py `PendingRefresh`) used to write each
new inquiry four more times after its insert: its derived fields, its search document, the
vector PostgreSQL derives from that document, its revision, each a statement through the
inquiry table's thirty indexes. Inside `writes_together` the refresh hands those values to
`rows_write`, which keeps them by row, and the block writes each row once when it ends (or when
`flush()` is called before a read of them).

On PostgreSQL a write is `UPDATE ... FROM unnest(...)`: one array a column, so a hundred rows
cost what one does to compile, and a column derived from one written (`DERIVED`: the search
vector of a search document, search.weighted_vector) is derived from its new value in the same
statement. Elsewhere (SQLite) it is Django's `bulk_update`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query

# A column the database derives from a column written here, by name: (the column it is derived
# from, the expression of it that gives it). search.py registers the search vector.
DERIVED: dict[str, tuple[str, Callable[[models.Expression], models.Expression]]] = {}

# model -> pk -> field name -> value: what a `writes_together` block will write.
_COLLECTED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("row_writes", default=None)


def rows_write(model: type[models.Model], values_of: dict[int, dict[str, object]]) -> None:
    """Write each row's values (by pk, then field name): now, or inside `writes_together`
    when the block ends, with whatever else the block writes to the same row."""
    if not values_of:
        return
    collected = _COLLECTED.get()
    if collected is None:
        rows_update(model, values_of)
        return
    rows = collected.setdefault(model, {})
    for pk, values in values_of.items():
        rows.setdefault(pk, {}).update(values)


def collecting() -> bool:
    """Whether a `writes_together` block is collecting the writes."""
    return _COLLECTED.get() is not None


def flush() -> None:
    """Write what the enclosing `writes_together` block has collected so far (before reading
    it back); nothing outside one."""
    collected = _COLLECTED.get()
    if collected is None:
        return
    pending = dict(collected)
    collected.clear()
    for model, values_of in pending.items():
        rows_update(model, values_of)


@contextlib.contextmanager
def writes_together() -> Iterator[None]:
    """Collect `rows_write`s and write each row once when the block ends. Nested, the outer
    block writes. An error in the block writes nothing (its transaction is rolled back)."""
    if _COLLECTED.get() is not None:
        yield
        return
    token = _COLLECTED.set({})
    try:
        yield
        flush()
    finally:
        _COLLECTED.reset(token)


def rows_update(model: type[models.Model], values_of: dict[int, dict[str, object]]) -> None:
    """Write the values now: one statement per set of fields written, 500 rows at most."""
    groups: dict[tuple[str, ...], dict[int, dict]] = {}
    for pk, values in values_of.items():
        groups.setdefault(tuple(sorted(values)), {})[pk] = values
    connection = connections[model.objects.db]
    for names, rows in groups.items():
        pks = sorted(rows)
        for start in range(0, len(pks), 500):
            chunk = {pk: rows[pk] for pk in pks[start : start + 500]}
            if connection.vendor == "postgresql":
                _update_postgresql(model, chunk, names, connection)
            else:
                objs = [model(pk=pk, **values) for pk, values in chunk.items()]
                model._base_manager.bulk_update(objs, names)


def _update_postgresql(model, rows: dict[int, dict], names: tuple[str, ...], connection) -> None:
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.pk, *(meta.get_field(name) for name in names)]
    columns = [quote(field.column) for field in fields]
    arrays = [list(rows)] + [
        [field.get_db_prep_save(values[field.name], connection) for values in rows.values()]
        for field in fields[1:]
    ]
    sets = [f"{column} = v.{column}" for column in columns[1:]]
    set_params: list = []
    for name, (source_name, expression) in DERIVED.items():
        if source_name not in names or not _has_field(model, name):
            continue
        # Derived from the new value (the column still holds the old one in this UPDATE).
        source = RawSQL(f"v.{quote(meta.get_field(source_name).column)}", ())
        query = Query(model)
        derived = expression(source).resolve_expression(query)
        sql, params = query.get_compiler(connection=connection).compile(derived)
        sets.append(f"{quote(meta.get_field(name).column)} = {sql}")
        set_params += params
    unnest = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(sets)} FROM unnest({unnest}) AS v({', '.join(columns)})"
            f" WHERE {table}.{columns[0]} = v.{columns[0]}",
            [*set_params, *arrays],
        )


# --- Inserting new rows ---------------------------------------------------------------------


def ids_allocate(model: type[models.Model], objs: list[models.Model]) -> None:
    """Give each of `objs` that has no pk the next value of its table's sequence, in their
    order, in one query (PostgreSQL; elsewhere nothing): the ids inserting them in that order
    would give, known before they are inserted (a new company's group made in the same batch,
    a row copied in with its id)."""
    missing = [obj for obj in objs if obj.pk is None]
    connection = connections[model.objects.db]
    if not missing or connection.vendor != "postgresql":
        return
    for obj, pk in zip(missing, _ids_next(model, len(missing)), strict=True):
        obj.pk = pk


def _ids_next(model: type[models.Model], count: int) -> list[int]:
    meta = model._meta
    with connections[model.objects.db].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
            [meta.db_table, meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def rows_insert(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
    """Insert `objs` (new, unsaved) as `bulk_create` would, and give them their ids.

    On PostgreSQL by COPY, ids allocated first (`ids_allocate`): Django's bulk insert passes
    each column as an array that psycopg quotes into the statement element by element (regular
    expressions, in Python), and then parses the statement, as long as the data, for its
    placeholders: most of the client's time in a batch's inserts (the raw records' JSON, the
    inquiries' forty columns, their history rows). COPY sends the rows as they are. It goes
    through the connection's execute wrappers and query log as a statement does. Elsewhere
    (SQLite) it is `bulk_create`."""
    if not objs:
        return objs
    connection = connections[model.objects.db]
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=500)
    ids_allocate(model, objs)
    fields = model._meta.local_concrete_fields
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    _copy(model, [[field.pre_save(obj, True) for field in fields] for obj in objs])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def values_insert(
    model: type[models.Model], rows: list[dict[str, object]], *, ids: bool = True
) -> list[int]:
    """Insert rows given as {attname: value} (a field left out has its default), in order, and
    return their ids: what `bulk_create` of `model(**row)` for each would write, without making
    the model objects (on PostgreSQL, by COPY as `rows_insert`). `ids=False`: rows without
    their id, which the table gives them (the same ids, in order) and none is returned."""
    if not rows:
        return []
    connection = connections[model.objects.db]
    meta = model._meta
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
        return [obj.pk for obj in objs] if ids else []
    pk_name = meta.pk.attname
    fields = meta.local_concrete_fields
    defaults = {field.attname: field.get_default() for field in fields}
    if not ids:
        fields = [field for field in fields if field.attname != pk_name]
        _copy(
            model,
            [[row.get(f.attname, defaults[f.attname]) for f in fields] for row in rows],
            fields,
        )
        return []
    new_ids = iter(_ids_next(model, sum(row.get(pk_name) is None for row in rows)))
    given = []
    for row in rows:
        given.append(row[pk_name] if row.get(pk_name) is not None else next(new_ids))
    _copy(
        model,
        [
            [
                pk if field.attname == pk_name else row.get(field.attname, defaults[field.attname])
                for field in fields
            ]
            for row, pk in zip(rows, given, strict=True)
        ],
    )
    return given


def _copy(model: type[models.Model], rows: list[list], fields=None) -> None:
    """COPY `rows` (each a value per field of `fields`, by default every local concrete field,
    in order) into `model`'s table."""
    connection = connections[model.objects.db]
    meta = model._meta
    fields = meta.local_concrete_fields if fields is None else fields
    plain = [_plain_type(field) for field in fields]
    prepared = []
    for values in rows:
        row = []
        for field, kind, value in zip(fields, plain, values, strict=True):
            if kind is None or (value is not None and type(value) is not kind):
                value = field.get_db_prep_save(value, connection)
            row.append(value)
        prepared.append(row)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"

    def copy(sql, params, many, context):
        with context["cursor"].cursor.copy(sql) as copying:
            for row in prepared:
                copying.write_row(row)

    connection.validate_no_broken_transaction()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.queries_logged:
            with cursor.debug_sql(sql):
                cursor._execute_with_wrappers(sql, None, False, executor=copy)
        else:
            cursor._execute_with_wrappers(sql, None, False, executor=copy)


# Fields whose values of this exact type (or None) Django sends to PostgreSQL as they are: no
# need to ask the field (Field.get_db_prep_save, three calls a value, most of a COPY's client
# time). Any other field, or value, is asked.
_PLAIN_TYPES = {
    models.AutoField: int,
    models.BigAutoField: int,
    models.BigIntegerField: int,
    models.BooleanField: bool,
    models.CharField: str,
    models.DateField: datetime.date,
    models.IntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SlugField: str,
    models.SmallIntegerField: int,
    models.TextField: str,
    models.URLField: str,
}


def _plain_type(field: models.Field) -> type | None:
    """The type of the values `field` writes as they are, if any; a foreign key's target's."""
    if field.is_relation:
        field = field.target_field
    return _PLAIN_TYPES.get(type(field))


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
