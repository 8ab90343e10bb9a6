// One pgJDBC connection attempt for tests/clients/tls-drivers.sh: prints
// "ok", the server's SQLSTATE, or "cert-rejected".
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

public class TlsJdbc {
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String url = "jdbc:postgresql://localhost:" + System.getenv("FLINTDB_PORT") + "/postgres";
        Properties p = new Properties();
        p.setProperty("user", "app");
        p.setProperty("password", "app-secret-pw");
        p.setProperty("sslmode", "require");
        switch (kind) {
            case "verify-full" -> {
                p.setProperty("sslmode", "verify-full");
                p.setProperty("sslrootcert", System.getenv("FLINTDB_CA"));
            }
            case "wrong-password" -> p.setProperty("password", "wrong");
            case "unknown-user" -> p.setProperty("user", "nobody");
            case "no-password" -> p.setProperty("user", "nopass");
            case "plaintext" -> p.setProperty("sslmode", "disable");
            case "other-ca" -> {
                p.setProperty("sslmode", "verify-full");
                p.setProperty("sslrootcert", System.getenv("FLINTDB_OTHER_CA"));
            }
            default -> { }
        }
        try (Connection c = DriverManager.getConnection(url, p);
             ResultSet r = c.createStatement().executeQuery("SELECT current_user")) {
            r.next();
            System.out.println(r.getString(1).equals(p.getProperty("user")) ? "ok" : "wrong user");
        } catch (SQLException e) {
            if (e.getSQLState() != null && !e.getSQLState().startsWith("08")) {
                System.out.println(e.getSQLState());
            } else if (String.valueOf(e.getCause()).contains("SSL")
                    || String.valueOf(e.getMessage()).contains("SSL")) {
                System.out.println("cert-rejected");
            } else {
                System.out.println("unexpected: " + e);
            }
        }
    }
}
