package io.catchment;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Sends the {@code catchment.schema} logger (one line per table created, column added or widened) to a file of its
 * own as well, {@code DATA_DIR/schema-changes.log}, so operators can follow schema changes apart from everything else.
 */
final class SchemaLog {
    private SchemaLog() {}

    static void writeTo(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return;
        Logger logger = ctx.getLogger("catchment.schema");
        if (logger.getAppender("schema-file") != null) return;
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setName("schema-file");
        appender.setContext(ctx);
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        logger.addAppender(appender);
    }
}
