package io.catchment.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The whole validated configuration, immutable. Built by {@link ConfigLoader}; one record per feature. */
public record CatchmentConfig(Server server, Path dataDir, Keys keys, Log log, Loader loader, Query query,
    DuckDb duckdb) {

  public record DuckDb(String memoryLimit, String checkpointThreshold, boolean dedup, long blockSize) {}

  public record Server(String host, int port, long maxRequestBytes, long maxEventBytes, Tls tls) {}

  /** HTTPS: PEM files, or a self-signed development certificate; off when neither is set. */
  public record Tls(String cert, String key, boolean selfSigned, int port) {
    public boolean enabled() {
      return selfSigned || !cert.isEmpty();
    }
  }

  /** Write keys map key to source name; the admin key reads and administers. */
  public record Keys(Map<String, String> writeKeys, String adminKey) {}

  public record Log(long segmentBytes, long maxBytes, Duration retention) {}

  public record Loader(boolean enabled, int batchEvents, Duration batchWait, int maxFields, int maxColumns,
      io.catchment.schema.Router.Layout layout, Map<String, io.catchment.schema.Router.Layout> layoutBySource) {}

  public record Query(int maxRows, Duration timeout) {}

  public CatchmentConfig withKeys(Keys k) {
    return new CatchmentConfig(server, dataDir, k, log, loader, query, duckdb);
  }

  public CatchmentConfig withDataDir(Path dir) {
    return new CatchmentConfig(server, dir, keys, log, loader, query, duckdb);
  }
}
