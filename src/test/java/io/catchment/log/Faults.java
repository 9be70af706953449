package io.catchment.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A script of injected failures, shared by every {@link FaultyChannel} one {@link #opener} makes: fail the n-th call of
 * a kind from now, or every call of a kind until {@link #stop}. Counts every call, so a test can aim at one call site.
 * Thread-safe.
 */
final class Faults {
  enum Call { WRITE, FORCE, TRUNCATE }

  static final String EIO = "Input/output error";
  static final String ENOSPC = "No space left on device";

  private final Map<Call, AtomicInteger> calls = new EnumMap<>(Call.class);
  private volatile Call target;
  private volatile int at; // the call count at which to fail; 0 = every call
  private volatile String message;
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
    this.message = message;
    this.at = calls.get(c).get() + n;
    this.target = c;
    return this;
  }

  /** Fails every call of {@code c} until {@link #stop}: a full disk, a dead device. */
  synchronized Faults failEvery(Call c, String message) {
    this.message = message;
    this.at = 0;
    this.target = c;
    return this;
  }

  synchronized void stop() {
    target = null;
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
    int n = calls.get(c).incrementAndGet();
    IOException e = null;
    synchronized (this) {
      if (target == c && (at == 0 || at == n)) {
        if (at != 0) target = null;
        failedFile = file;
        failedCall = c;
        e = new IOException(message + " (injected into " + c + " call " + n + " on " + file.getFileName() + ")");
      }
    }
    if (e != null) throw e;
  }
}
