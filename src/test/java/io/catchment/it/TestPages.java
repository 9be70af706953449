package io.catchment.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.catchment.collector.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The web site of BrowserSdkIT: another origin than Catchment (its own port on 127.0.0.1, HTTP or HTTPS with a
 * self-signed certificate), serving the SDK test pages from {@code src/test/resources/browser/} and the vendors'
 * browser bundles from {@code tools/browser/node_modules/} (as a site serves the SDK it installed from npm).
 */
final class TestPages implements AutoCloseable {
    static final Path NODE_MODULES = Path.of("tools/browser/node_modules");
    /** URL path on this site → file under node_modules. */
    private static final Map<String, String> SDKS = Map.of(
            "/sdk/amplitude.js", "@amplitude/analytics-browser/lib/scripts/amplitude-min.umd.js",
            "/sdk/mixpanel.js", "mixpanel-browser/dist/mixpanel.umd.js",
            "/sdk/posthog.js", "posthog-js/dist/array.js");

    private static final String SEGMENT_BUNDLES = "/analytics-next/bundles/";

    private final HttpServer server;
    final String origin;

    /** Starts the site on a free loopback port; with {@code tlsDir}, over HTTPS with a self-signed certificate there. */
    TestPages(Path tlsDir) throws Exception {
        if (tlsDir == null) {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } else {
            Path[] pem = Tls.selfSigned(tlsDir);
            KeyStore keys = Tls.load(pem[0], pem[1]);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, Tls.PASSWORD);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, null);
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(ssl));
            server = https;
        }
        server.createContext("/", this::serve);
        server.start();
        origin = (tlsDir == null ? "http" : "https") + "://127.0.0.1:"
                + server.getAddress().getPort();
    }

    private void serve(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            byte[] body = null;
            if (SDKS.containsKey(path)) {
                body = Files.readAllBytes(NODE_MODULES.resolve(SDKS.get(path)));
            } else if (path.startsWith(SEGMENT_BUNDLES) && !path.contains("..")) {
                Path f = NODE_MODULES
                        .resolve("@segment/analytics-next/dist/umd")
                        .resolve(path.substring(SEGMENT_BUNDLES.length()));
                if (Files.isRegularFile(f)) body = Files.readAllBytes(f);
            } else if (path.matches("/[a-z]+\\.(html|js)")) {
                try (InputStream in = TestPages.class.getResourceAsStream("/browser" + path)) {
                    if (in != null) body = in.readAllBytes();
                }
            } else if (path.equals("/favicon.ico")) {
                x.sendResponseHeaders(204, -1);
                return;
            }
            if (body == null) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            String type = path.endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8";
            x.getResponseHeaders().set("Content-Type", type);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
