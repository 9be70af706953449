package io.catchment.log.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A script of injected failures, shared by every {@link FaultyChannel} one {@link #opener} makes: fail the n-th call of
 * a kind from now, or every call of a kind until {@link #stop}; rules add up (fail the next write and every truncate).
 * Counts every call, so a test can aim at one call site. Thread-safe.
 */
final class Faults {
    enum Call {
        WRITE,
        FORCE,
        TRUNCATE
    }

    static final String EIO = "Input/output error";
    static final String ENOSPC = "No space left on device";

    private final Map<Call, AtomicInteger> calls = new EnumMap<>(Call.class);
    /** Fail call number {@code at} of {@code call}, or every call when {@code at} is 0. */
    private record Rule(Call call, int at, String message) {}

    private final List<Rule> rules = new ArrayList<>();
    private volatile boolean paused;
    private volatile Path failedFile;
    private volatile Call failedCall;

    Faults() {
        for (Call c : Call.values()) calls.put(c, new AtomicInteger());
    }

    FileOpener opener() {
        return (p, opts) -> new FaultyChannel(FileChannel.open(p, opts), this, p);
    }

    /** Fails the {@code n}-th call of {@code c} from now (1 = the next one) with an IOException saying {@code message}. */
    synchronized Faults failNth(Call c, int n, String message) {
        rules.add(new Rule(c, calls.get(c).get() + n, message));
        return this;
    }

    /** Fails every call of {@code c} until {@link #stop}: a full disk, a dead device. */
    synchronized Faults failEvery(Call c, String message) {
        rules.add(new Rule(c, 0, message));
        return this;
    }

    synchronized void stop() {
        rules.clear();
    }

    /** Stops counting and failing until {@link #resume}: for calls a test does not aim at (opening the log). */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    int count(Call c) {
        return calls.get(c).get();
    }

    /** The file of the last call that failed, or null. */
    Path failedFile() {
        return failedFile;
    }

    Call failedCall() {
        return failedCall;
    }

    /** Counts a call of {@code c} on {@code file}; throws the injected failure when this call is the one scripted. */
    void check(Call c, Path file) throws IOException {
        if (paused) return;
        int n = calls.get(c).incrementAndGet();
        IOException e = null;
        synchronized (this) {
            for (Rule r : rules) {
                if (r.call() != c || r.at() != 0 && r.at() != n) continue;
                if (r.at() != 0) rules.remove(r);
                failedFile = file;
                failedCall = c;
                e = new IOException(
                        r.message() + " (injected into " + c + " call " + n + " on " + file.getFileName() + ")");
                break;
            }
        }
        if (e != null) throw e;
    }
}
