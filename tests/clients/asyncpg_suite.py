"""asyncpg against FlintDB or PostgreSQL (run by tests/clients/drivers.sh):
asyncpg prepares every statement, reads results in binary and introspects
types with a WITH RECURSIVE catalog query. Covers DDL with every type
FlintDB has, binary parameter round trips, row counts, transactions and
savepoints, SQLSTATEs, COPY both ways, a server-side cursor (Execute with
a row limit, PortalSuspended, MOVE on the portal), NULLs and 10k rows."""
import asyncio
import datetime
import decimal
import io
import os

import asyncpg

from checks import check, finish


async def expect_sqlstate(name, want, coro):
    try:
        await coro
        check(name, None, want)
    except asyncpg.PostgresError as e:
        check(name, e.sqlstate, want)


async def main():
    conn = await asyncpg.connect(
        host="127.0.0.1", port=int(os.environ["FLINTDB_PORT"]), user="postgres", database="postgres"
    )
    await conn.execute("DROP TABLE IF EXISTS apg_types")
    await conn.execute(
        """CREATE TABLE apg_types (
            id int PRIMARY KEY, b bool, s smallint, i int, l bigint, r real,
            d double precision, n numeric(12, 3), t text, v varchar(20), c char(3),
            y bytea, dt date, ts timestamp, tz timestamptz, ta text[], ia int[])"""
    )
    row = (
        1, True, 7, -42, 9_000_000_000, 1.5, 2.25, decimal.Decimal("12.345"), "héllo",
        "vc", "ab ", b"\x00\xff", datetime.date(2024, 2, 29),
        datetime.datetime(2024, 2, 29, 12, 30, 1, 500),
        datetime.datetime(2024, 2, 29, 12, 30, tzinfo=datetime.timezone.utc),
        ["a", None, "c"], [1, 2, 3],
    )
    status = await conn.execute(
        "INSERT INTO apg_types VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)", *row
    )
    check("INSERT status", status, "INSERT 0 1")
    got = await conn.fetchrow("SELECT * FROM apg_types WHERE id = $1", 1)
    check("binary round trip of every type", tuple(got), row)
    await conn.execute("INSERT INTO apg_types (id) VALUES (2)")
    got = await conn.fetchrow("SELECT b, t, ta, n FROM apg_types WHERE id = 2")
    check("NULLs", tuple(got), (None, None, None, None))

    await conn.executemany("INSERT INTO apg_types (id, i) VALUES ($1, $2)", [(k, k % 7) for k in range(10, 110)])
    check("UPDATE count", await conn.execute("UPDATE apg_types SET t = 'x' WHERE i = $1", 3), "UPDATE 15")
    check("DELETE count", await conn.execute("DELETE FROM apg_types WHERE id >= $1", 100), "DELETE 10")

    async with conn.transaction():
        await conn.execute("INSERT INTO apg_types (id) VALUES (500)")
    try:
        async with conn.transaction():
            await conn.execute("INSERT INTO apg_types (id) VALUES (501)")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM apg_types WHERE id >= 500 ORDER BY id")]
    check("COMMIT and ROLLBACK", ids, [500])
    async with conn.transaction():
        await conn.execute("INSERT INTO apg_types (id) VALUES (502)")
        try:
            async with conn.transaction():  # a savepoint
                await conn.execute("INSERT INTO apg_types (id) VALUES (502)")
        except asyncpg.UniqueViolationError:
            pass
    check("savepoint rollback", await conn.fetchval("SELECT count(*) FROM apg_types WHERE id = 502"), 1)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        check("repeatable read, read only", await conn.fetchval("SELECT count(*) FROM apg_types WHERE id = 1"), 1)

    await expect_sqlstate("23505", "23505", conn.execute("INSERT INTO apg_types (id) VALUES (1)"))
    await expect_sqlstate("42601", "42601", conn.execute("SELEC 1"))
    await expect_sqlstate("42P01", "42P01", conn.fetch("SELECT * FROM apg_nowhere"))
    await expect_sqlstate("22012", "22012", conn.fetchval("SELECT 1 / $1", 0))

    await conn.execute("DROP TABLE IF EXISTS apg_copy")
    await conn.execute("CREATE TABLE apg_copy (a int, b text)")
    await conn.copy_records_to_table("apg_copy", records=[(k, f"r{k}") for k in range(1000)])
    check("COPY FROM (binary)", await conn.fetchval("SELECT count(*) FROM apg_copy"), 1000)
    lines = []

    async def sink(chunk):
        lines.append(chunk)

    await conn.copy_from_query("SELECT a, b FROM apg_copy WHERE a < $1 ORDER BY a", 3, output=sink)
    check("COPY TO", b"".join(lines), b"0\tr0\n1\tr1\n2\tr2\n")

    raw = []

    async def raw_sink(chunk):
        raw.append(chunk)

    await conn.copy_from_query("SELECT 1::int, NULL::text", output=raw_sink, format="binary")
    check(
        "COPY TO (binary)",
        b"".join(raw),
        b"PGCOPY\n\xff\r\n\x00" + bytes(8) + b"\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\xff\xff\xff\xff\xff\xff",
    )
    await expect_sqlstate(
        "COPY FROM (binary) with a bad signature",
        "22P04",
        conn.copy_to_table("apg_copy", source=io.BytesIO(b"1\tx\n"), format="binary"),
    )
    check("a failed COPY adds nothing", await conn.fetchval("SELECT count(*) FROM apg_copy"), 1000)

    async with conn.transaction():
        cur = await conn.cursor("SELECT a FROM apg_copy ORDER BY a")
        first = await cur.fetch(5)
        await cur.forward(100)
        after = await cur.fetchrow()
        check("server-side cursor (fetch, forward)", ([r["a"] for r in first], after["a"]), ([0, 1, 2, 3, 4], 105))
        seen = [r["a"] async for r in conn.cursor("SELECT a FROM apg_copy WHERE a < $1", 250, prefetch=50)]
        check("cursor iteration in batches", (len(seen), seen[-1]), (250, 249))

    rows = await conn.fetch("SELECT g, g::text FROM generate_series(1, 10000) g")
    check("10k rows", (len(rows), rows[-1][0], rows[-1][1]), (10000, 10000, "10000"))
    check("text[] array parameter", await conn.fetchval("SELECT $1::text[]", ["x", "y"]), ["x", "y"])
    check("int[] ANY", await conn.fetchval("SELECT 3 = ANY($1::int[])", [1, 3]), True)

    # An enum type: asyncpg looks its OID up with its WITH RECURSIVE
    # catalog query and then sends and reads labels.
    await conn.execute("DROP TABLE IF EXISTS apg_enum")
    await conn.execute("DROP TYPE IF EXISTS apg_mood")
    await conn.execute("CREATE TYPE apg_mood AS ENUM ('sad', 'ok', 'happy')")
    await conn.execute("CREATE TABLE apg_enum (id int, m apg_mood)")
    await conn.executemany("INSERT INTO apg_enum VALUES ($1, $2)", [(1, "happy"), (2, "sad"), (3, None)])
    got = await conn.fetch("SELECT id, m FROM apg_enum WHERE m >= $1 ORDER BY m", "sad")
    check("enum parameters and results", [tuple(r) for r in got], [(2, "sad"), (1, "happy")])
    await expect_sqlstate("22P02 for a label the enum lacks", "22P02", conn.execute("INSERT INTO apg_enum VALUES (4, $1)", "angry"))
    await conn.execute("DROP TABLE apg_enum")
    await conn.execute("DROP TYPE apg_mood")

    await conn.execute("DROP TABLE apg_types")
    await conn.execute("DROP TABLE apg_copy")
    await conn.close()


asyncio.run(main())
finish("asyncpg")
