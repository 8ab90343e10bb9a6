// pgJDBC against FlintDB or PostgreSQL (run by tests/clients/drivers.sh):
// prepared statements past pgJDBC's switch to server-side statements and
// binary transfer (the 5th execution), row counts, transactions and
// savepoints, SQLStates, CopyManager both ways, a fetch-size cursor
// (Execute with a row limit, PortalSuspended), NULLs and 10k rows.
import java.io.*;
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

public class JdbcSuite {
    static List<String> failures = new ArrayList<>();

    static void check(String name, Object got, Object want) {
        if (Objects.equals(String.valueOf(got), String.valueOf(want))) System.out.println("ok   " + name);
        else { System.out.println("FAIL " + name + ": want " + want + ", got " + got); failures.add(name); }
    }

    interface Sql { void run() throws SQLException; }

    static void sqlState(String name, String want, Sql s) {
        try { s.run(); check(name, null, want); } catch (SQLException e) { check(name, e.getSQLState(), want); }
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + System.getenv("FLINTDB_PORT") + "/postgres?user=postgres";
        try (Connection c = DriverManager.getConnection(url)) {
            Statement st = c.createStatement();
            st.execute("DROP TABLE IF EXISTS jd_t");
            st.execute("CREATE TABLE jd_t (id int PRIMARY KEY, b boolean, l bigint, d double precision, "
                + "n numeric(10,2), t text, y bytea, dt date, ts timestamp)");
            PreparedStatement ins = c.prepareStatement("INSERT INTO jd_t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
            for (int i = 0; i < 10; i++) {
                ins.setInt(1, i);
                ins.setBoolean(2, i % 2 == 0);
                ins.setLong(3, 9_000_000_000L + i);
                ins.setDouble(4, i + 0.5);
                ins.setBigDecimal(5, new BigDecimal("12.3" + i));
                if (i == 3) ins.setNull(6, Types.VARCHAR); else ins.setString(6, "row" + i);
                ins.setBytes(7, new byte[] {0, (byte) i, (byte) 255});
                ins.setDate(8, java.sql.Date.valueOf("2024-02-29"));
                ins.setTimestamp(9, Timestamp.valueOf("2024-02-29 12:30:01.5"));
                check("executeUpdate " + i, ins.executeUpdate(), 1);
            }
            PreparedStatement sel = c.prepareStatement("SELECT b, l, d, n, t, y, dt, ts FROM jd_t WHERE id = ?");
            for (int i = 0; i < 10; i++) {   // past prepareThreshold: binary results
                sel.setInt(1, i);
                try (ResultSet rs = sel.executeQuery()) {
                    rs.next();
                    String got = rs.getBoolean(1) + " " + rs.getLong(2) + " " + rs.getDouble(3) + " " + rs.getBigDecimal(4)
                        + " " + rs.getString(5) + " " + Arrays.toString(rs.getBytes(6)) + " " + rs.getDate(7) + " " + rs.getTimestamp(8);
                    String want = (i % 2 == 0) + " " + (9_000_000_000L + i) + " " + (i + 0.5) + " 12.3" + i
                        + " " + (i == 3 ? null : "row" + i) + " [0, " + i + ", -1] 2024-02-29 2024-02-29 12:30:01.5";
                    check("select round trip " + i, got, want);
                }
            }
            check("UPDATE count", st.executeUpdate("UPDATE jd_t SET t = 'u' WHERE id < 4"), 4);
            check("DELETE count", st.executeUpdate("DELETE FROM jd_t WHERE id >= 8"), 2);

            c.setAutoCommit(false);
            st.executeUpdate("INSERT INTO jd_t (id) VALUES (100)");
            Savepoint sp = c.setSavepoint();
            sqlState("23505 in a transaction", "23505", () -> st.executeUpdate("INSERT INTO jd_t (id) VALUES (100)"));
            c.rollback(sp);
            c.commit();
            st.executeUpdate("INSERT INTO jd_t (id) VALUES (101)");
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = st.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM jd_t WHERE id >= 100")) {
                rs.next();
                check("commit, savepoint and rollback", rs.getString(1), "100");
            }
            sqlState("42601", "42601", () -> st.execute("SELEC 1"));
            sqlState("42P01", "42P01", () -> st.executeQuery("SELECT * FROM jd_nowhere"));

            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            st.execute("DROP TABLE IF EXISTS jd_copy");
            st.execute("CREATE TABLE jd_copy (a int, b text)");
            StringBuilder data = new StringBuilder();
            for (int i = 0; i < 2000; i++) data.append(i).append('\t').append("v").append(i).append('\n');
            check("CopyManager.copyIn", copy.copyIn("COPY jd_copy FROM STDIN", new StringReader(data.toString())), 2000);
            StringWriter out = new StringWriter();
            copy.copyOut("COPY (SELECT a, b FROM jd_copy WHERE a < 2 ORDER BY a) TO STDOUT (FORMAT csv)", out);
            check("CopyManager.copyOut", out.toString(), "0,v0\n1,v1\n");

            c.setAutoCommit(false);   // fetchSize needs a transaction
            try (Statement fs = c.createStatement()) {
                fs.setFetchSize(100);
                int n = 0; int last = -1;
                try (ResultSet rs = fs.executeQuery("SELECT a FROM jd_copy ORDER BY a")) {
                    while (rs.next()) { n++; last = rs.getInt(1); }
                }
                check("fetchSize cursor", n + " " + last, "2000 1999");
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM jd_copy")) {
                rs.next();
                check("a statement after the cursor", rs.getInt(1), 2000);
            }
            c.commit();
            c.setAutoCommit(true);
            try (ResultSet rs = st.executeQuery("SELECT g, g::text FROM generate_series(1, 10000) g")) {
                int n = 0; String last = null;
                while (rs.next()) { n++; last = rs.getString(2); }
                check("10k rows", n + " " + last, "10000 10000");
            }
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet rs = md.getTables(null, "public", "jd_%", new String[] {"TABLE"})) {
                StringBuilder names = new StringBuilder();
                while (rs.next()) names.append(rs.getString("TABLE_NAME")).append(' ');
                check("DatabaseMetaData.getTables", names.toString().trim(), "jd_copy jd_t");
            }
            try (ResultSet rs = md.getColumns(null, "public", "jd_t", null)) {
                StringBuilder cols = new StringBuilder();
                while (rs.next()) cols.append(rs.getString("COLUMN_NAME")).append(':').append(rs.getString("TYPE_NAME"))
                    .append(':').append(rs.getInt("NULLABLE")).append(' ');
                check("DatabaseMetaData.getColumns", cols.toString().trim(),
                    "id:int4:0 b:bool:1 l:int8:1 d:float8:1 n:numeric:1 t:text:1 y:bytea:1 dt:date:1 ts:timestamp:1");
            }
            // Both read information_schema._pg_expandarray's records.
            st.execute("DROP TABLE IF EXISTS jd_keys");
            st.execute("CREATE TABLE jd_keys (a int, b text, c int, PRIMARY KEY (c, a))");
            st.execute("CREATE UNIQUE INDEX jd_keys_b ON jd_keys (b DESC)");
            try (ResultSet rs = md.getPrimaryKeys(null, "public", "jd_keys")) {
                StringBuilder keys = new StringBuilder();
                while (rs.next()) keys.append(rs.getString("COLUMN_NAME")).append(':').append(rs.getInt("KEY_SEQ"))
                    .append(':').append(rs.getString("PK_NAME")).append(' ');
                check("DatabaseMetaData.getPrimaryKeys", keys.toString().trim(), "c:1:jd_keys_pkey a:2:jd_keys_pkey");
            }
            try (ResultSet rs = md.getIndexInfo(null, "public", "jd_keys", false, false)) {
                StringBuilder idx = new StringBuilder();
                while (rs.next()) idx.append(rs.getString("INDEX_NAME")).append(':').append(rs.getString("COLUMN_NAME"))
                    .append(':').append(rs.getInt("ORDINAL_POSITION")).append(':').append(rs.getString("ASC_OR_DESC"))
                    .append(':').append(rs.getBoolean("NON_UNIQUE")).append(' ');
                check("DatabaseMetaData.getIndexInfo", idx.toString().trim(),
                    "jd_keys_b:b:1:D:false jd_keys_pkey:c:1:A:false jd_keys_pkey:a:2:A:false");
            }
            st.execute("DROP TABLE jd_keys");
            try (ResultSet rs = md.getSchemas()) {
                StringBuilder names = new StringBuilder();
                while (rs.next()) names.append(rs.getString("TABLE_SCHEM")).append(' ');
                check("DatabaseMetaData.getSchemas", names.toString().trim(), "information_schema pg_catalog public");
            }
            try (ResultSet rs = st.executeQuery("SELECT id, t FROM jd_t")) {
                ResultSetMetaData m = rs.getMetaData();
                check("ResultSetMetaData", m.getColumnName(1) + " " + m.getTableName(1) + " " + m.isNullable(1)
                    + " " + m.isNullable(2) + " " + m.getColumnTypeName(2), "id jd_t 0 1 text");
            }
            st.execute("DROP TABLE jd_t");
            st.execute("DROP TABLE jd_copy");
        }
        if (!failures.isEmpty()) {
            System.out.println(failures.size() + " pgJDBC check(s) failed: " + failures);
            System.exit(1);
        }
        System.out.println("pgJDBC: all checks passed");
    }
}
