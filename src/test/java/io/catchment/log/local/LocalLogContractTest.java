package io.catchment.log.local;

import io.catchment.log.EventLog;
import io.catchment.log.EventLogContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@link EventLogContract} against the local segment-file log. */
@Timeout(60)
class LocalLogContractTest extends EventLogContract {
    @TempDir
    Path dir;

    @Override
    protected EventLog open(String name) throws Exception {
        return new LocalLog(dir.resolve(name), 4096, 1 << 30, Duration.ZERO);
    }
}
