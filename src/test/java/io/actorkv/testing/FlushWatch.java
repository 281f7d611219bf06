package io.actorkv.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system ({@code jdbc:h2:flushwatch:file:...}) that passes every
 * call to the disk and counts, over all files, the bytes written since the
 * last {@code force} (fsync) and the forces: a test reads at an
 * acknowledgement whether everything written before it was on stable
 * storage. Registered once by {@link #register}.
 */
public final class FlushWatch extends FilePathWrapper {

  public static final String SCHEME = "flushwatch";

  private static final AtomicLong UNFORCED = new AtomicLong();
  private static final AtomicLong FORCES = new AtomicLong();

  public static synchronized void register() {
    FilePath.register(new FlushWatch());
  }

  /** Bytes written to any file since a force that came after them. */
  public static long unforcedBytes() {
    return UNFORCED.get();
  }

  public static long forces() {
    return FORCES.get();
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FileChannel open(String mode) throws IOException {
    return new Watched(getBase().open(mode));
  }

  private static final class Watched extends FileBase {
    private final FileChannel base;

    Watched(FileChannel base) {
      this.base = base;
    }

    @Override
    public synchronized int write(ByteBuffer src, long position) throws IOException {
      int n = base.write(src, position);
      UNFORCED.addAndGet(n);
      return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      int n = base.write(src);
      UNFORCED.addAndGet(n);
      return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      long before = UNFORCED.get();
      base.force(metaData);
      UNFORCED.addAndGet(-before); // what was written meanwhile is still unforced
      FORCES.incrementAndGet();
    }

    @Override
    public synchronized int read(ByteBuffer dst, long position) throws IOException {
      return base.read(dst, position);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return base.read(dst);
    }

    @Override
    public long position() throws IOException {
      return base.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      base.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return base.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      base.truncate(size);
      return this;
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return base.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      base.close();
    }
  }
}
