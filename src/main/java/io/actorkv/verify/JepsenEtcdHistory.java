package io.actorkv.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parser for Jepsen etcd register logs (lines {@code INFO  jepsen.util - <process> <type> <f> <value>}),
 * checked with {@link Models#register()}. Event order gives the times.
 *
 * <ul>
 *   <li>{@code :ok} completes the process's open operation; a read's value is what it saw
 *       ({@code nil}: absent).</li>
 *   <li>{@code :fail :cas} completed without applying. Any other {@code :fail} (e.g. a read that
 *       timed out) did not take effect and is dropped.</li>
 *   <li>{@code :info} (timed out) and operations still open at the end have unknown outcome.</li>
 * </ul>
 * Other log lines are ignored; a malformed {@code jepsen.util} event line is an error.
 */
public final class JepsenEtcdHistory {

    private static final Pattern PREFIX = Pattern.compile("^\\s*INFO\\s+jepsen\\.util\\s+-\\s+");
    private static final Pattern EVENT = Pattern.compile(
            "(\\d+)\\s+:(invoke|ok|fail|info)\\s+:(read|write|cas)\\s+(.*?)\\s*");
    private static final Pattern CAS_ARGS = Pattern.compile("\\[\\s*(\\S+)\\s+(\\S+)\\s*]");

    private record Open(RegisterOp input, long call) {
    }

    private JepsenEtcdHistory() {
    }

    /** Reads a whole log. Throws IllegalArgumentException naming file and line on a malformed event. */
    public static List<Operation<RegisterOp, RegisterOutput>> parse(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses log lines; {@code source} only labels error messages. */
    public static List<Operation<RegisterOp, RegisterOutput>> parse(List<String> lines, String source) {
        List<Operation<RegisterOp, RegisterOutput>> history = new ArrayList<>();
        Map<Integer, Open> open = new HashMap<>();
        long time = 0;
        for (int lineNo = 1; lineNo <= lines.size(); lineNo++) {
            String line = lines.get(lineNo - 1);
            Matcher prefix = PREFIX.matcher(line);
            if (!prefix.find()) {
                continue;
            }
            Matcher m = EVENT.matcher(line.substring(prefix.end()));
            if (!m.matches()) {
                throw malformed(source, lineNo, "unrecognised event: " + line);
            }
            int process = Integer.parseInt(m.group(1));
            String type = m.group(2);
            String f = m.group(3);
            String value = m.group(4);
            long now = time++;
            try {
                if (type.equals("invoke")) {
                    Open previous = open.put(process, new Open(input(f, value), now));
                    if (previous != null) {
                        throw new IllegalArgumentException("process " + process + " invoked twice without completing");
                    }
                    continue;
                }
                Open started = open.remove(process);
                if (started == null || !started.input().kind().name().equalsIgnoreCase(f)) {
                    throw new IllegalArgumentException("process " + process + " has no open :" + f);
                }
                switch (type) {
                    case "ok" -> history.add(Operation.completed(process, started.input(), started.call(),
                            f.equals("read") ? RegisterOutput.read(value(value)) : RegisterOutput.ok(), now));
                    case "fail" -> {
                        if (f.equals("cas")) {
                            history.add(Operation.completed(process, started.input(), started.call(),
                                    RegisterOutput.casFailed(), now));
                        }
                    }
                    default -> history.add(Operation.unknown(process, started.input(), started.call()));
                }
            } catch (IllegalArgumentException e) {
                throw malformed(source, lineNo, e.getMessage());
            }
        }
        open.forEach((process, o) -> history.add(Operation.unknown(process, o.input(), o.call())));
        return history;
    }

    private static RegisterOp input(String f, String value) {
        return switch (f) {
            case "read" -> RegisterOp.read();
            case "write" -> RegisterOp.write(requireValue(value(value)));
            default -> {
                Matcher cas = CAS_ARGS.matcher(value);
                if (!cas.matches()) {
                    throw new IllegalArgumentException("bad cas argument: " + value);
                }
                yield RegisterOp.cas(requireValue(value(cas.group(1))), requireValue(value(cas.group(2))));
            }
        };
    }

    private static String value(String token) {
        return token.equals("nil") ? null : token;
    }

    private static String requireValue(String value) {
        if (value == null) {
            throw new IllegalArgumentException("nil is not a value that can be written");
        }
        return value;
    }

    private static IllegalArgumentException malformed(String source, int line, String message) {
        return new IllegalArgumentException(source + ":" + line + ": " + message);
    }
}
