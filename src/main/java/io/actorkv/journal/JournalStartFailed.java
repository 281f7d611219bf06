package io.actorkv.journal;

/**
 * The embedded journal of a data directory cannot be started: another
 * process runs it, or its server refused to start (the message says why,
 * from the server's own log). Not a setting the node could have checked:
 * {@code serve} reports it in one line and exits 1.
 */
public final class JournalStartFailed extends RuntimeException {

  JournalStartFailed(String message, Throwable cause) {
    super(message, cause);
  }
}
