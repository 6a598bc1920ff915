package io.exodus.proxy.tls;

import io.exodus.proxy.config.PostgresUrl;
import io.exodus.proxy.config.SslMode;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;

import java.time.Duration;

/**
 * The NetClient settings for one backend, from its URL's sslmode: require encrypts without checking the
 * certificate (libpq's meaning), verify-ca checks it against sslrootcert (or the JVM's trusted roots),
 * verify-full also checks the host name.
 */
public final class BackendTls {
    private BackendTls() {
    }

    public static NetClientOptions clientOptions(PostgresUrl url, Duration connectTimeout) {
        NetClientOptions options = new NetClientOptions()
                .setTcpNoDelay(true)
                .setTcpKeepAlive(true)
                .setConnectTimeout((int) connectTimeout.toMillis())
                // TLS starts after the SSLRequest exchange, by upgradeToSsl, never at connect.
                .setSsl(false);
        SslMode mode = url.sslMode();
        if (mode.verifiesCertificate()) {
            url.sslRootCert().ifPresent(file -> options.setTrustOptions(new PemTrustOptions().addCertPath(file)));
        } else if (mode.attemptsTls()) {
            options.setTrustAll(true);
        }
        // Vert.x insists on an explicit choice; "" means the name is not checked (libpq's require and verify-ca).
        options.setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : "");
        return options;
    }
}
