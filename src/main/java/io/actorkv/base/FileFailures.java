package io.actorkv.base;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** A file's I/O failure in a line for people, whether it was being read or written. */
public final class FileFailures {

  private FileFailures() {}

  /** The JDK's file exceptions say only the path for these; the reason is added. */
  public static String describe(IOException e) {
    boolean pathOnly = e instanceof NoSuchFileException || e instanceof AccessDeniedException;
    return pathOnly ? e.getMessage() + ": " + reason(e) : e.getMessage();
  }

  /** Why, without the path, for a line that names the file already. */
  public static String reason(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file or directory";
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof CharacterCodingException) return "not UTF-8 text";
    if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
    return e.getMessage();
  }
}
