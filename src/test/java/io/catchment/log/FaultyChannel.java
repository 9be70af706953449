package io.catchment.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A FileChannel that writes only {@code budget} more bytes, then writes a partial buffer and throws, like a disk that
 * fills up or a process that dies mid-write. Everything else is delegated.
 */
final class FaultyChannel extends FileChannel {
  private final FileChannel d;
  private final AtomicLong budget;

  FaultyChannel(FileChannel d, AtomicLong budget) {
    this.d = d;
    this.budget = budget;
  }

  private int limited(ByteBuffer src, long pos, boolean positional) throws IOException {
    long left = budget.get();
    if (left >= src.remaining()) {
      budget.addAndGet(-src.remaining());
      return positional ? d.write(src, pos) : d.write(src);
    }
    if (left > 0) {
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + (int) left);
      int n = positional ? d.write(part, pos) : d.write(part);
      src.position(src.position() + n);
      budget.set(0);
    }
    throw new IOException("injected write failure (no space left on device)");
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return limited(src, -1, false);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long n = 0;
    for (int i = offset; i < offset + length; i++) n += limited(srcs[i], -1, false);
    return n;
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return limited(src, position, true);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return d.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return d.read(dsts, offset, length);
  }

  @Override
  public long position() throws IOException {
    return d.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    d.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return d.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    d.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    d.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return d.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    return d.transferFrom(src, position, count);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return d.read(dst, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return d.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return d.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return d.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    d.close();
  }
}
