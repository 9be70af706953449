package io.catchment.collector;

import io.catchment.config.CatchmentConfig;
import io.catchment.config.ConfigException;
import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS next to plain HTTP: with {@code tls.cert}/{@code tls.key} (PEM) or {@code tls.self_signed}, the server
 * listens on {@code tls.port} as well as on {@code port}. The connectors are named {@code http} and {@code https}, so
 * their bound ports can be found (port 0 picks a free one).
 */
public final class HttpsConnectors {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsConnectors.class);

    private HttpsConnectors() {}

    /** The key store for HTTPS (PEM files, or the self-signed development certificate), or null when TLS is off. */
    public static KeyStore keys(CatchmentConfig c) throws IOException {
        var tls = c.server().tls();
        if (!tls.enabled()) return null;
        try {
            if (tls.selfSigned()) {
                Path[] files = Tls.selfSigned(c.dataDir().resolve("tls"));
                LOG.info(
                        "HTTPS with the self-signed development certificate {} (clients must trust it)",
                        files[0].toAbsolutePath());
                return Tls.load(files[0], files[1]);
            }
            return Tls.load(Path.of(tls.cert()), Path.of(tls.key()));
        } catch (GeneralSecurityException e) {
            throw new ConfigException("invalid tls: " + e.getMessage());
        }
    }

    /** Adds the HTTP and HTTPS connectors when {@code keys} is not null (TLS on); else leaves Javalin's default. */
    public static void add(JavalinConfig cfg, CatchmentConfig c, KeyStore keys) {
        if (keys == null) return;
        // with a connector of its own, Javalin adds no default one: plain HTTP is added here too
        cfg.jetty.addConnector((server, http) -> {
            var plain = new ServerConnector(server, new HttpConnectionFactory(http));
            plain.setName("http");
            plain.setHost(c.server().host());
            plain.setPort(c.server().port());
            return plain;
        });
        cfg.jetty.addConnector((server, http) -> https(server, http, keys, c));
    }

    private static Connector https(Server server, HttpConfiguration http, KeyStore keys, CatchmentConfig c) {
        var ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keys);
        ssl.setKeyStorePassword(new String(Tls.PASSWORD));
        var https = new HttpConfiguration(http);
        var customizer = new SecureRequestCustomizer();
        customizer.setSniHostCheck(false); // clients reach a development certificate by IP address, without SNI
        https.addCustomizer(customizer);
        var connector = new ServerConnector(
                server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        connector.setName("https");
        connector.setHost(c.server().host());
        connector.setPort(c.server().tls().port());
        return connector;
    }
}
