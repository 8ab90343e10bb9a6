"""psycopg 3 against FlintDB (run by tests/clients/drivers.sh): parameters
in both formats, arrays both ways, server-side cursors (DECLARE, Describe
of the cursor's portal, FETCH FORWARD), COPY, transactions, errors with
their SQLSTATE, the catalog queries psycopg's TypeInfo sends, startup
settings and ParameterStatus after SET and ROLLBACK."""
import os

import psycopg
from psycopg.types import TypeInfo

dsn = f"host=127.0.0.1 port={os.environ['FLINTDB_PORT']} user=postgres dbname=postgres"
from checks import check, finish


with psycopg.connect(dsn) as conn:
    conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text, tags text[])")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO items VALUES (%s, %s, %s)",
            [(i, f"item{i}", [f"t{i % 3}", "all"]) for i in range(500)],
        )
    conn.commit()
    row = conn.execute("SELECT name, tags FROM items WHERE id = %s", (7,)).fetchone()
    check("text and array parameters/results", row, ("item7", ["t1", "all"]))
    row = conn.execute("SELECT %s::int[], %s = ANY(%s::text[])", ([1, 2], "b", ["a", "b"]), binary=True).fetchone()
    check("binary arrays", row, ([1, 2], True))
    with conn.cursor(name="srv") as cur:
        cur.itersize = 64
        cur.execute("SELECT id FROM items WHERE id >= %s ORDER BY id", (100,))
        ids = [r[0] for r in cur]
    check("server-side cursor", (len(ids), ids[0], ids[-1]), (400, 100, 499))
    conn.commit()
    with conn.cursor() as cur:
        with cur.copy("COPY items (id, name) TO STDOUT") as copy:
            copied = sum(1 for _ in copy.rows())
    check("COPY TO", copied, 500)
    try:
        conn.execute("INSERT INTO items (id) VALUES (1)")
        check("unique violation", None, "23505")
    except psycopg.errors.UniqueViolation as e:
        check("unique violation", e.sqlstate, "23505")
    conn.rollback()
    info = TypeInfo.fetch(conn, "int4")
    check("TypeInfo.fetch(int4)", (info.oid, info.array_oid), (23, 1007))
    info = TypeInfo.fetch(conn, "text[]")
    check("TypeInfo.fetch(text[])", info.oid if info else None, 1009)
    conn.execute("DROP TABLE items")
    conn.commit()

with psycopg.connect(dsn + " application_name=suite", autocommit=True) as conn:
    check("startup application_name", conn.execute("SHOW application_name").fetchone()[0], "suite")
    conn.execute("SET application_name = 'changed'")
    check("ParameterStatus after SET", conn.info.parameter_status("application_name"), "changed")
    conn.execute("BEGIN")
    conn.execute("SET application_name = 'inner'")
    conn.execute("ROLLBACK")
    check("ParameterStatus after ROLLBACK", conn.info.parameter_status("application_name"), "changed")

finish("psycopg")
