package io.catchment.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The canonical JSON form of an {@link Event}, as it is stored in the log: one compact object per event with
 * snake_case envelope keys ({@code id} always first), timestamps as ISO-8601 UTC strings, absent fields omitted. The
 * loader reads it back field by field ({@link io.catchment.schema.Router}). Every string and key is well-formed
 * Unicode: a lone surrogate becomes U+FFFD ({@link Unicode}), so nothing downstream meets text a store cannot hold.
 * Thread-safe.
 */
public final class EventJson {
    /**
     * Reads decimals as {@code BigDecimal}, exactly as sent ({@code 3.14159265358979323846} keeps every digit,
     * {@code 1e400} stays 1e400 rather than Infinity), so the canonical event holds the digits the client sent; the
     * loader decides what column they fit ({@link io.catchment.schema.Flattener}).
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private EventJson() {}

    public static void write(Event e, OutputStream out) throws IOException {
        try (JsonGenerator g = new WellFormed(FACTORY.createGenerator(out))) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            str(g, "id", e.id());
            str(g, "type", e.type());
            str(g, "event", e.event());
            str(g, "user_id", e.userId());
            str(g, "anonymous_id", e.anonymousId());
            str(g, "group_id", e.groupId());
            str(g, "previous_id", e.previousId());
            time(g, "timestamp", e.timestamp());
            time(g, "sent_at", e.sentAt());
            time(g, "received_at", e.receivedAt());
            str(g, "source", e.source());
            obj(g, "properties", e.properties());
            obj(g, "traits", e.traits());
            obj(g, "context", e.context());
            g.writeEndObject();
        }
    }

    public static byte[] toBytes(Event e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try {
            write(e, out);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    private static void str(JsonGenerator g, String k, String v) throws IOException {
        if (v != null) g.writeStringField(k, v);
    }

    private static void time(JsonGenerator g, String k, Instant v) throws IOException {
        if (v != null) g.writeStringField(k, v.toString());
    }

    private static void obj(JsonGenerator g, String k, ObjectNode v) throws IOException {
        if (v != null && !v.isEmpty()) {
            g.writeFieldName(k);
            MAPPER.writeTree(g, v);
        }
    }

    /** Writes every string and field name as well-formed Unicode ({@link Unicode#wellFormed(String)}). */
    private static final class WellFormed extends JsonGeneratorDelegate {
        WellFormed(JsonGenerator g) {
            super(g, false);
        }

        @Override
        public void writeString(String text) throws IOException {
            delegate.writeString(text == null ? null : Unicode.wellFormed(text));
        }

        @Override
        public void writeString(char[] text, int offset, int len) throws IOException {
            writeString(new String(text, offset, len));
        }

        @Override
        public void writeString(SerializableString text) throws IOException {
            writeString(text.getValue());
        }

        @Override
        public void writeFieldName(String name) throws IOException {
            delegate.writeFieldName(Unicode.wellFormed(name));
        }

        @Override
        public void writeFieldName(SerializableString name) throws IOException {
            writeFieldName(name.getValue());
        }
    }
}
