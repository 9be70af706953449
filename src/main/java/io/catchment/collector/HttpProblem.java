package io.catchment.collector;

import io.catchment.CatchmentException;
import java.util.Map;

/** An answer other than success, with its HTTP status and JSON body; thrown by handlers, rendered in one place. */
public final class HttpProblem extends CatchmentException {
    private final int status;
    private final Map<String, Object> body;
    private final String reason;
    private final String text;

    public HttpProblem(int status, String reason, Map<String, Object> body) {
        this(status, reason, body, null);
    }

    private HttpProblem(int status, String reason, Map<String, Object> body, String text) {
        super(text != null ? text : String.valueOf(body.get("error")));
        this.status = status;
        this.reason = reason;
        this.body = body;
        this.text = text;
    }

    /** An answer with a plain-text body (the shape some vendor APIs use, e.g. Mixpanel's {@code 0}). */
    public static HttpProblem text(int status, String reason, String text) {
        return new HttpProblem(status, reason, Map.of(), text);
    }

    /** The plain-text body, or null when the body is {@link #body()} as JSON. */
    public String text() {
        return text;
    }

    public static HttpProblem of(int status, String reason, String message) {
        return new HttpProblem(status, reason, Map.of("error", message));
    }

    public int status() {
        return status;
    }

    /** Short machine-readable cause, used as the metrics label. */
    public String reason() {
        return reason;
    }

    public Map<String, Object> body() {
        return body;
    }
}
