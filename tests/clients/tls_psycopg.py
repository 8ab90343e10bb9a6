"""One psycopg connection attempt for tests/clients/tls-drivers.sh: prints
"ok", the server's SQLSTATE, or "cert-rejected"."""
import os
import sys

import psycopg

case = sys.argv[1]
port = os.environ["FLINTDB_PORT"]
params = dict(host="localhost", port=port, dbname="postgres", user="app",
              password="app-secret-pw", sslmode="require")
if case in ("verify-full", "channel-binding"):
    params.update(sslmode="verify-full", sslrootcert=os.environ["FLINTDB_CA"])
if case == "channel-binding":
    params["channel_binding"] = "require"
if case == "wrong-password":
    params["password"] = "wrong"
if case == "unknown-user":
    params["user"] = "nobody"
if case == "no-password":
    params["user"] = "nopass"
if case == "plaintext":
    params["sslmode"] = "disable"
if case == "other-ca":
    params.update(sslmode="verify-full", sslrootcert=os.environ["FLINTDB_OTHER_CA"])
try:
    with psycopg.connect(**params) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == params["user"]
        print("ok")
except psycopg.OperationalError as e:
    # libpq does not report a failed connection's SQLSTATE; PostgreSQL's
    # message texts are unique to each code.
    text = str(e)
    if e.sqlstate:
        print(e.sqlstate)
    elif "password authentication failed for user" in text:
        print("28P01")
    elif "no pg_hba.conf entry" in text:
        print("28000")
    elif "certificate verify failed" in text:
        print("cert-rejected")
    else:
        print(f"unexpected: {text}".replace("\n", " "))
