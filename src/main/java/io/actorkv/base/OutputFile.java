package io.actorkv.base;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file that a command writes whole or not at all (a backup, an audit
 * checkpoint or report): written as {@code FILE.partial}, readable by its
 * owner only (it may hold values and secrets), forced to disk and renamed to
 * {@code FILE} by {@link #commit}. Closed without a commit, the partial file
 * is deleted; a left-over one (a killed run) is replaced by the next run. An
 * existing {@code FILE} is never replaced.
 */
public final class OutputFile implements AutoCloseable {

  private final Path target;
  private final Path partial;
  private final OutputStream stream;
  private boolean committed;

  private OutputFile(Path target, Path partial, OutputStream stream) {
    this.target = target;
    this.partial = partial;
    this.stream = stream;
  }

  /**
   * Starts writing {@code target}.
   *
   * @throws IOException naming the file if it exists or its partial file cannot be made
   */
  public static OutputFile create(Path target) throws IOException {
    requireAbsent(target);
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    try {
      Files.deleteIfExists(partial);
      Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (IOException e) {
      throw new IOException(FileFailures.describe(e), e);
    }
    return new OutputFile(target, partial, Files.newOutputStream(partial, StandardOpenOption.WRITE));
  }

  /** Refuses an existing {@code target}, before a command does work it would have to throw away. */
  public static void requireAbsent(Path target) throws FileAlreadyExistsException {
    if (Files.exists(target)) throw new FileAlreadyExistsException(target + " exists; choose another file or remove it first");
  }

  /** The partial file's stream; {@link #commit} closes it. */
  public OutputStream stream() {
    return stream;
  }

  /** Flushes and closes the stream, forces the file to disk and renames it to its target. */
  public void commit() throws IOException {
    stream.close();
    try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    if (Files.exists(target)) throw new FileAlreadyExistsException(target + " appeared while it was written; left as " + partial);
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    committed = true;
  }

  @Override
  public void close() {
    if (committed) return;
    try {
      stream.close();
    } catch (IOException ignored) {
      // the file is deleted next
    }
    try {
      Files.deleteIfExists(partial);
    } catch (IOException ignored) {
      // what is left is named .partial, never taken for the file itself
    }
  }
}
