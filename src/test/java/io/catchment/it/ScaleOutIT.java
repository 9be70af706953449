package io.catchment.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.segment.analytics.Analytics;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.TrackMessage;
import io.catchment.testing.ClickHouseServer;
import io.catchment.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --log kafka --store clickhouse} end to end, on a real Kafka broker and a real ClickHouse server (both on
 * free loopback ports, data in temp dirs): SDK traffic in, rows read back with {@code clickhouse-client}; a loader
 * leaving the group and another taking its partitions over; ClickHouse down while events keep arriving.
 */
@Timeout(300)
class ScaleOutIT {
  static final String KEY = "scale_write_key_1";
  static final String ADMIN = "scale_admin_key_1";
  static final String SEGMENT_KEY = "scale_segment_key_1";
  static KafkaBroker kafka;
  static ClickHouseServer clickhouse;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaBroker.start();
    clickhouse = ClickHouseServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) kafka.close();
    if (clickhouse != null) clickhouse.close();
  }

  private InProcessServer server(Path data, String db, String topic, String... more) throws Exception {
    String[] base = {"log.type", "kafka", "store.type", "clickhouse", "kafka.bootstrap_servers", kafka.bootstrap(),
        "kafka.topic", topic, "kafka.dead_letter_topic", topic + ".dlq", "kafka.partitions", "4",
        "kafka.group", topic + "-loaders", "clickhouse.url", clickhouse.url(), "clickhouse.database", db};
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return new InProcessServer(data, KEY + "=web," + SEGMENT_KEY + "=segment", ADMIN, all);
  }

  /** A count read with clickhouse-client over ClickHouse's native protocol, as an operator would. */
  private static long clickhouseCount(String sql) throws Exception {
    Process p = new ProcessBuilder("clickhouse-client", "--host", "127.0.0.1", "--port",
        String.valueOf(clickhouse.tcpPort()), "--query", sql).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    if (p.exitValue() != 0) throw new AssertionError("clickhouse-client: " + out);
    return Long.parseLong(out);
  }

  private static void send(String base, int from, int to) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < to; i++) {
      b.append("{\"messageId\":\"m").append(i).append("\",\"type\":\"track\",\"event\":\"Tick\",\"userId\":\"u")
          .append(i % 37).append("\",\"timestamp\":\"2024-06-01T10:00:00Z\",\"properties\":{\"i\":").append(i)
          .append("}}\n");
    }
    Http.Reply r = Http.post(base + "/v1/events", KEY, b.toString());
    assertThat(r.status()).as(r.body()).isBetween(200, 299);
  }

  @Test
  void sdk_traffic_flows_through_kafka_into_clickhouse() throws Exception {
    try (InProcessServer s = server(dir, "sdk", "sdk-events")) {
      Analytics analytics = Analytics.builder(SEGMENT_KEY).endpoint(s.base).flushQueueSize(100)
          .flushInterval(1, TimeUnit.HOURS).build();
      try {
        for (int i = 0; i < 5; i++) {
          analytics.enqueue(TrackMessage.builder("Order Completed").userId("sdk-user").messageId("o" + i)
              .properties(Map.of("revenue", 10 + i, "currency", "EUR")));
        }
        analytics.enqueue(IdentifyMessage.builder().userId("sdk-user").traits(Map.of("plan", "pro")));
        analytics.flush();
      } finally {
        analytics.shutdown(); // sends what is queued and waits for it
      }
      assertThat(Http.eventually(Duration.ofSeconds(60),
          () -> clickhouseCount("SELECT count() FROM sdk.order_completed") == 5)).isTrue();
      assertThat(clickhouseCount("SELECT sum(properties_revenue) FROM sdk.order_completed")).isEqualTo(60);
      assertThat(Http.eventually(Duration.ofSeconds(30),
          () -> clickhouseCount("SELECT count() FROM sdk.users FINAL WHERE user_id = 'sdk-user' "
              + "AND traits LIKE '%\"plan\":\"pro\"%'") == 1)).isTrue();
      // the SQL API answers from ClickHouse, unqualified names meaning Catchment's database
      assertThat(Http.sql(s.base, ADMIN, "SELECT count(*) FROM events").get(0).get(0).asLong()).isEqualTo(6);
      assertThat(Http.post(s.base + "/v1/query", ADMIN, "{\"sql\":\"DROP TABLE events\"}").status()).isEqualTo(403);
    }
  }

  @Test
  void when_a_loader_leaves_another_takes_its_partitions_and_nothing_is_lost_or_doubled() throws Exception {
    try (InProcessServer a = server(dir.resolve("a"), "group", "group-events");
        InProcessServer b = server(dir.resolve("b"), "group", "group-events")) {
      for (int i = 0; i < 20; i++) send(a.base, i * 100, i * 100 + 100);
      a.close(); // leaves the group once its batches are written; b is given every partition
      for (int i = 20; i < 40; i++) send(b.base, i * 100, i * 100 + 100);
      assertThat(Http.eventually(Duration.ofSeconds(90),
          () -> clickhouseCount("SELECT count() FROM group.tick") >= 4000)).isTrue();
      assertThat(clickhouseCount("SELECT count() FROM group.tick")).isEqualTo(4000);
      assertThat(clickhouseCount("SELECT uniqExact(id) FROM group.tick")).isEqualTo(4000);
    }
  }

  @Test
  void events_keep_arriving_while_clickhouse_is_down_and_land_once_it_is_back() throws Exception {
    try (InProcessServer s = server(dir, "outage", "outage-events")) {
      send(s.base, 0, 500);
      assertThat(Http.eventually(Duration.ofSeconds(60),
          () -> clickhouseCount("SELECT count() FROM outage.tick") == 500)).isTrue();
      clickhouse.stop();
      try {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int n = 500;
        while (System.nanoTime() < until) {
          send(s.base, n, n + 100); // acknowledged: Kafka has them
          n += 100;
          Thread.sleep(500);
        }
        clickhouse = clickhouse.restart();
        int expected = n;
        assertThat(Http.eventually(Duration.ofSeconds(120),
            () -> clickhouseCount("SELECT count() FROM outage.tick") >= expected)).isTrue();
        assertThat(clickhouseCount("SELECT count() FROM outage.tick")).isEqualTo(expected);
        assertThat(clickhouseCount("SELECT uniqExact(id) FROM outage.tick")).isEqualTo(expected);
      } finally {
        if (!clickhouse.ping()) clickhouse = clickhouse.restart();
      }
    }
  }
}
