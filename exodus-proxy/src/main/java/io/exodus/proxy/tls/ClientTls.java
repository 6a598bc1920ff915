package io.exodus.proxy.tls;

import io.exodus.proxy.config.ExodusConfig;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The certificate the proxy presents to clients that ask for TLS: the configured PEM pair, or a self-signed
 * certificate made at start-up so that {@code sslmode=require} works out of the box (clients that verify
 * certificates need a real one: set {@code exodus.tls.cert-file} and {@code exodus.tls.key-file}).
 */
public final class ClientTls {
    private static final Logger LOG = Logger.getLogger(ClientTls.class);

    private ClientTls() {
    }

    public static KeyCertOptions keyCertOptions(ExodusConfig.Tls config) {
        if (config.certFile().isPresent() != config.keyFile().isPresent()) {
            throw new IllegalArgumentException("Set both exodus.tls.cert-file and exodus.tls.key-file, or neither");
        }
        if (config.certFile().isPresent()) {
            for (String file : new String[] { config.certFile().get(), config.keyFile().get() }) {
                if (!Files.isReadable(Path.of(file))) {
                    throw new IllegalArgumentException("Cannot read the TLS file " + file);
                }
            }
            return new PemKeyCertOptions().setCertPath(config.certFile().get()).setKeyPath(config.keyFile().get());
        }
        SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
        LOG.info("No exodus.tls.cert-file set: clients that ask for TLS get a self-signed certificate");
        return certificate.keyCertOptions();
    }
}
