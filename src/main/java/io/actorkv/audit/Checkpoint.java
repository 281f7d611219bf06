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
 * {@code revision<TAB>hash<TAB>persistence id}, then {@code end<TAB>count of
 * keys}, so that a file cut short, even at a line's end, is refused rather
 * than taken for one with fewer keys. Files of the first format ({@code v1})
 * have no such line and are read as they are.
 */
final class Checkpoint {

  static final String FORMAT = "actorkv checkpoint v2";
  /** The first format, without the closing line; still read. */
  private static final String FORMAT_V1 = "actorkv checkpoint v1";
  private static final String END = "end\t";

  record Head(long revision, String hash) {}

  private Checkpoint() {}

  static void writeHeader(PrintStream out) {
    out.println(FORMAT);
  }

  static void writeHead(PrintStream out, String persistenceId, long revision, String hash) {
    out.println(revision + "\t" + hash + "\t" + persistenceId);
  }

  static void writeEnd(PrintStream out, long heads) {
    out.println(END + heads);
  }

  /** @throws IOException if the file cannot be read or is not a checkpoint */
  static Map<String, Head> read(Path file) throws IOException {
    Map<String, Head> heads = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = in.readLine();
      boolean ends = FORMAT.equals(first);
      if (!ends && !FORMAT_V1.equals(first)) {
        throw new IOException(file + " is not a checkpoint (its first line is not '" + FORMAT + "')");
      }
      int lineNumber = 1;
      boolean ended = false;
      long lines = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNumber++;
        if (ended) throw new IOException(file + " goes on after its last line (" + (lineNumber - 1) + ")");
        if (ends && line.startsWith(END)) {
          if (!line.substring(END.length()).equals(Long.toString(lines))) {
            throw new IOException(file + " says it holds " + line.substring(END.length()) + " keys but holds "
                + lines + ": it is damaged");
          }
          ended = true;
          continue;
        }
        String[] parts = line.split("\t", 3);
        if (parts.length != 3 || !parts[1].matches("[0-9a-f]{64}") || !parts[0].matches("[0-9]{1,18}")) {
          throw new IOException(file + " line " + lineNumber + " is not 'revision<TAB>hash<TAB>key'");
        }
        heads.put(parts[2], new Head(Long.parseLong(parts[0]), parts[1]));
        lines++;
      }
      if (ends && !ended) throw new IOException(file + " is cut short: its last line, 'end<TAB>keys', is missing");
    }
    return heads;
  }
}
