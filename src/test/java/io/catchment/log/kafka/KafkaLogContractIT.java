package io.catchment.log.kafka;

import io.catchment.config.CatchmentConfig;
import io.catchment.log.EventLog;
import io.catchment.log.EventLogContract;
import io.catchment.testing.KafkaBroker;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The {@link EventLogContract} against one partition of a topic on a real Kafka broker. */
@Timeout(120)
class KafkaLogContractIT extends EventLogContract {
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) broker.close();
    }

    @Override
    protected EventLog open(String name) throws Exception {
        return new KafkaLog(new CatchmentConfig.Kafka(
                broker.bootstrap(), "contract-" + name, "contract-" + name + ".dlq", 1, 1, "contract", Map.of()));
    }
}
