package io.exodus.proxy.config;

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
 */
public record PostgresUrl(String host, int port, String user, String password, String database, SslMode sslMode,
        Optional<String> sslRootCert) {

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
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("The URI " + redact(text) + " names no host");
        }
        String user = "postgres";
        String password = "";
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }
        String path = uri.getRawPath();
        String database = path == null || path.length() <= 1 ? user : decode(path.substring(1));
        Map<String, String> query = queryParameters(uri.getRawQuery());
        SslMode sslMode = SslMode.parse(query.getOrDefault("sslmode", "prefer"));
        return new PostgresUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password, database,
                sslMode, Optional.ofNullable(query.get("sslrootcert")));
    }

    /** The URI without its password, fit for a log line. */
    public String describe() {
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
