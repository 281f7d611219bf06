package io.actorkv.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Every strong key's head (its latest revision and that event's link of the
 * chain), written by {@code actorkv audit checkpoint} for the user to keep
 * elsewhere. A chain cannot show that its newest events were cut off or rolled
 * back; a checkpoint can: {@code verify --against} reports a key whose head
 * is behind, differs, or is gone.
 *
 * <p>The file is text: a first line naming the format, then one line per key,
 * {@code revision<TAB>hash<TAB>persistence id}.
 */
final class Checkpoint {

  static final String FORMAT = "actorkv checkpoint v1";

  record Head(long revision, String hash) {}

  private Checkpoint() {}

  static void writeHeader(PrintStream out) {
    out.println(FORMAT);
  }

  static void writeHead(PrintStream out, String persistenceId, long revision, String hash) {
    out.println(revision + "\t" + hash + "\t" + persistenceId);
  }

  /** @throws IOException if the file cannot be read or is not a checkpoint */
  static Map<String, Head> read(Path file) throws IOException {
    Map<String, Head> heads = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = in.readLine();
      if (!FORMAT.equals(first)) throw new IOException(file + " is not a checkpoint (its first line is not '" + FORMAT + "')");
      int lineNumber = 1;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNumber++;
        String[] parts = line.split("\t", 3);
        if (parts.length != 3 || !parts[1].matches("[0-9a-f]{64}") || !parts[0].matches("[0-9]{1,18}")) {
          throw new IOException(file + " line " + lineNumber + " is not 'revision<TAB>hash<TAB>key'");
        }
        heads.put(parts[2], new Head(Long.parseLong(parts[0]), parts[1]));
      }
    }
    return heads;
  }
}
