package io.exodus.proxy.config;

import io.vertx.core.net.SocketAddress;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code postgresql://user:password@host:port/database?sslmode=…} URI, the form libpq, psql and most
 * managed services print. Only the parts a proxy needs to reach a backend are kept.
 *
 * <p>As in libpq, a host that starts with a slash is the folder of the server's Unix-domain socket
 * ({@code postgresql://user@%2Fvar%2Frun%2Fpostgresql/db} or {@code postgresql://user@/db?host=/var/run/postgresql});
 * the {@code host} and {@code port} query parameters override the authority's. A socket carries no TLS, so its
 * sslmode is {@code disable} whatever the URI says (libpq ignores sslmode on sockets too).
 */
public record PostgresUrl(String host, int port, String user, String password, String database, SslMode sslMode,
        Optional<String> sslRootCert) {
    private static final int DEFAULT_PORT = 5432;

    public static PostgresUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a PostgreSQL URI: " + redact(text) + " (" + e.getReason() + ")");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException(
                    "Expected a postgresql://user:password@host:port/database URI, got " + redact(text));
        }
        String user = "postgres";
        String password = "";
        String userInfo = rawUserInfo(uri);
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }
        String path = uri.getRawPath();
        String database = path == null || path.length() <= 1 ? user : decode(path.substring(1));
        Map<String, String> query = queryParameters(uri.getRawQuery());
        String host = query.containsKey("host") ? query.get("host") : authorityHost(uri);
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("The URI " + redact(text) + " names no host");
        }
        int port = query.containsKey("port") ? portParameter(query.get("port"), text) : authorityPort(uri);
        SslMode sslMode = isSocketFolder(host) ? SslMode.DISABLE
                : SslMode.parse(query.getOrDefault("sslmode", "prefer"));
        return new PostgresUrl(host, port, user, password, database, sslMode,
                Optional.ofNullable(query.get("sslrootcert")));
    }

    /** Whether the server is reached over its Unix-domain socket rather than TCP. */
    public boolean unixSocket() {
        return isSocketFolder(host);
    }

    /** Where to connect: the socket file {@code <folder>/.s.PGSQL.<port>}, or host and port over TCP. */
    public SocketAddress socketAddress() {
        return unixSocket() ? SocketAddress.domainSocketAddress(host + "/.s.PGSQL." + port)
                : SocketAddress.inetSocketAddress(port, host);
    }

    private static boolean isSocketFolder(String host) {
        return host.startsWith("/");
    }

    /**
     * {@link URI} reads an authority as user, host and port only when the host is a server name; a percent-encoded
     * socket folder or an empty host ({@code postgresql://user@/db?host=…}) leaves it unread, so it is split here.
     */
    private static String rawUserInfo(URI uri) {
        if (uri.getHost() != null || uri.getRawAuthority() == null) {
            return uri.getRawUserInfo();
        }
        int at = uri.getRawAuthority().lastIndexOf('@');
        return at < 0 ? null : uri.getRawAuthority().substring(0, at);
    }

    private static String authorityHost(URI uri) {
        if (uri.getHost() != null) {
            return uri.getHost();
        }
        String hostAndPort = rawHostAndPort(uri);
        int colon = hostAndPort.lastIndexOf(':');
        return decode(colon < 0 ? hostAndPort : hostAndPort.substring(0, colon));
    }

    private static int authorityPort(URI uri) {
        if (uri.getHost() != null) {
            return uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        }
        String hostAndPort = rawHostAndPort(uri);
        int colon = hostAndPort.lastIndexOf(':');
        return colon < 0 ? DEFAULT_PORT : portParameter(hostAndPort.substring(colon + 1), uri.toString());
    }

    private static String rawHostAndPort(URI uri) {
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        return authority.substring(authority.lastIndexOf('@') + 1);
    }

    private static int portParameter(String text, String uri) {
        try {
            int port = Integer.parseInt(text);
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("The URI " + redact(uri) + " has an invalid port: " + text);
    }

    /** The URI without its password, fit for a log line. */
    public String describe() {
        if (unixSocket()) {
            return "postgresql://" + user + "@/" + database + "?host=" + host + "&port=" + port;
        }
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database + "?sslmode=" + sslMode.text();
    }

    private static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                parameters.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return parameters;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String redact(String text) {
        return text.replaceAll("://([^:@/]+):[^@/]*@", "://$1:***@");
    }
}
