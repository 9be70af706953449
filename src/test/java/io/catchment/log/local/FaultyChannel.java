package io.catchment.log.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A FileChannel that fails like a sick disk. Either it writes only {@code budget} more bytes, then writes a partial
 * buffer and throws (a device error mid-write), or it follows a {@link Faults} script: a write that fails writes half
 * of its bytes first (a torn write), a force or truncate that fails does nothing. Everything else is delegated.
 */
final class FaultyChannel extends FileChannel {
    private final FileChannel d;
    private final AtomicLong budget;
    private final Faults faults;
    private final Path file;

    FaultyChannel(FileChannel d, AtomicLong budget) {
        this(d, budget, new Faults(), Path.of("?"));
    }

    FaultyChannel(FileChannel d, Faults faults, Path file) {
        this(d, new AtomicLong(Long.MAX_VALUE), faults, file);
    }

    private FaultyChannel(FileChannel d, AtomicLong budget, Faults faults, Path file) {
        this.d = d;
        this.budget = budget;
        this.faults = faults;
        this.file = file;
    }

    private int limited(ByteBuffer src, long pos, boolean positional) throws IOException {
        try {
            faults.check(Faults.Call.WRITE, file);
        } catch (IOException e) {
            ByteBuffer half = src.duplicate();
            half.limit(half.position() + half.remaining() / 2);
            int n = positional ? d.write(half, pos) : d.write(half);
            src.position(src.position() + n);
            throw e;
        }
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
        throw new IOException("injected write failure (Input/output error)");
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return limited(src, -1, false);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        // one call, as the kernel sees it: a scripted failure tears the first buffer that has bytes left
        int first = offset;
        while (first < offset + length - 1 && !srcs[first].hasRemaining()) first++;
        long n = limited(srcs[first], -1, false);
        for (int i = first + 1; i < offset + length; i++) {
            int r = srcs[i].remaining();
            if (budget.get() < r) return n + limited(srcs[i], -1, false);
            budget.addAndGet(-r);
            n += d.write(srcs[i]);
        }
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
        faults.check(Faults.Call.TRUNCATE, file);
        d.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        faults.check(Faults.Call.FORCE, file);
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
