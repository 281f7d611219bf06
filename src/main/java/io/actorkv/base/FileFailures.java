package io.actorkv.base;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** A file's I/O failure in a line for people, whether it was being read or written. */
public final class FileFailures {

  private FileFailures() {}

  /** The JDK's file exceptions say only the path for these; the reason is added. */
  public static String describe(IOException e) {
    if (e instanceof NoSuchFileException) return e.getMessage() + ": no such file or directory";
    if (e instanceof AccessDeniedException) return e.getMessage() + ": permission denied";
    return e.getMessage();
  }
}
