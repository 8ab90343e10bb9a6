"""SQLAlchemy 2 (over psycopg2 and over psycopg 3) against FlintDB or
PostgreSQL (run by tests/clients/drivers.sh): the dialect's connect-time
queries, metadata create_all/drop_all, the Inspector's reflection (tables,
columns, primary keys, unique constraints, indexes), ORM insert, query,
update and delete with commit and rollback, and IntegrityError's SQLSTATE.
Also psycopg2 on its own: COPY, a named cursor and NULLs."""
import datetime
import decimal
import os

import psycopg2
from sqlalchemy import (
    Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
    UniqueConstraint, create_engine, inspect, select, func,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

port = os.environ["FLINTDB_PORT"]
from checks import check, finish


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "sa_author"
    id = Column(Integer, primary_key=True, autoincrement=False)
    name = Column(String(40), nullable=False)
    email = Column(Text)
    active = Column(Boolean, default=True)
    born = Column(Date)
    __table_args__ = (UniqueConstraint("email", name="sa_author_email_key"),)


class Book(Base):
    __tablename__ = "sa_book"
    id = Column(Integer, primary_key=True, autoincrement=False)
    author_id = Column(Integer, nullable=False)
    title = Column(Text, nullable=False)
    price = Column(Numeric(8, 2))
    added = Column(DateTime)
    __table_args__ = (Index("sa_book_author", "author_id"),)


for driver in ["psycopg2", "psycopg"]:
    engine = create_engine(f"postgresql+{driver}://postgres@127.0.0.1:{port}/postgres")
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    insp = inspect(engine)
    check(f"{driver}: has_table", (insp.has_table("sa_author"), insp.has_table("sa_nowhere")), (True, False))
    check(f"{driver}: table names", sorted(n for n in insp.get_table_names() if n.startswith("sa_")), ["sa_author", "sa_book"])
    cols = {c["name"]: (str(c["type"]), c["nullable"]) for c in insp.get_columns("sa_author")}
    check(f"{driver}: reflected columns", cols, {
        "id": ("INTEGER", False), "name": ("VARCHAR(40)", False), "email": ("TEXT", True),
        "active": ("BOOLEAN", True), "born": ("DATE", True)})
    check(f"{driver}: primary key", insp.get_pk_constraint("sa_author")["constrained_columns"], ["id"])
    check(f"{driver}: unique constraints", [(u["name"], u["column_names"]) for u in insp.get_unique_constraints("sa_author")],
          [("sa_author_email_key", ["email"])])
    check(f"{driver}: indexes", [(i["name"], i["column_names"], i["unique"]) for i in insp.get_indexes("sa_book")],
          [("sa_book_author", ["author_id"], False)])

    with Session(engine) as s:
        s.add_all([Author(id=1, name="Ann", email="ann@x", born=datetime.date(1980, 1, 2)),
                   Author(id=2, name="Bob", email="bob@x")])
        s.add_all([Book(id=k, author_id=1 + k % 2, title=f"t{k}", price=decimal.Decimal("9.50") + k,
                        added=datetime.datetime(2024, 1, 1, 12, 0, k)) for k in range(10)])
        s.commit()
        n = s.scalar(select(func.count()).select_from(Book).where(Book.author_id == 1))
        check(f"{driver}: ORM query", n, 5)
        ann = s.get(Author, 1)
        check(f"{driver}: ORM get", (ann.name, ann.active, ann.born), ("Ann", True, datetime.date(1980, 1, 2)))
        ann.name = "Anne"
        s.commit()
        s.add(Author(id=3, name="Dup", email="ann@x"))
        try:
            s.commit()
            check(f"{driver}: IntegrityError", None, "23505")
        except IntegrityError as e:
            check(f"{driver}: IntegrityError", getattr(e.orig, "pgcode", None) or e.orig.sqlstate, "23505")
            s.rollback()
        s.delete(s.get(Book, 0))
        s.commit()
        rows = s.execute(select(Author.name, func.count(Book.id)).join(Book, Book.author_id == Author.id)
                         .group_by(Author.name).order_by(Author.name)).all()
        check(f"{driver}: join and group by", [tuple(r) for r in rows], [("Anne", 4), ("Bob", 5)])
    Base.metadata.drop_all(engine)
    check(f"{driver}: drop_all", inspect(engine).has_table("sa_author"), False)
    engine.dispose()

conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
cur = conn.cursor()
cur.execute("DROP TABLE IF EXISTS p2_t")
cur.execute("CREATE TABLE p2_t (a int, b text)")
cur.executemany("INSERT INTO p2_t VALUES (%s, %s)", [(k, None if k % 10 == 0 else f"v{k}") for k in range(300)])
check("psycopg2: executemany rowcount", cur.rowcount, 300)
cur.execute("UPDATE p2_t SET b = 'u' WHERE a < %s", (50,))
check("psycopg2: UPDATE rowcount", cur.rowcount, 50)
conn.commit()
named = conn.cursor(name="p2_named")
named.itersize = 40
named.execute("SELECT a, b FROM p2_t ORDER BY a")
rows = list(named)
named.close()
check("psycopg2: named cursor", (len(rows), rows[100], rows[299]), (300, (100, None), (299, "v299")))
import io
out = io.StringIO()
cur.copy_expert("COPY (SELECT a, b FROM p2_t WHERE a IN (0, 60) ORDER BY a) TO STDOUT", out)
check("psycopg2: COPY TO", out.getvalue(), "0\tu\n60\t\\N\n")
cur.copy_expert("COPY p2_t FROM STDIN WITH (FORMAT csv)", io.StringIO("1000,x\n1001,\n"))
cur.execute("SELECT count(*), count(b) FROM p2_t WHERE a >= 1000")
check("psycopg2: COPY FROM (csv)", cur.fetchone(), (2, 1))
conn.rollback()
cur.execute("SELECT count(*) FROM p2_t WHERE a >= 1000")
check("psycopg2: rolled back COPY", cur.fetchone(), (0,))
cur.execute("DROP TABLE p2_t")
conn.commit()
conn.close()

finish("SQLAlchemy/psycopg2")
