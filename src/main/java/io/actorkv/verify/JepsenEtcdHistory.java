package io.actorkv.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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

    /**
     * A log that {@link #parse} reads back as {@code history}, with event indexes for times and
     * each operation as a process of its own. Calls come before returns at equal times, so
     * operations that touched stay concurrent. Operations of unknown outcome end with
     * {@code :info} after every other event.
     *
     * @throws IllegalArgumentException if a value is {@code nil} or not one token
     */
    public static List<String> format(List<Operation<RegisterOp, RegisterOutput>> history) {
        record Event(long time, boolean isReturn, int process) {
        }
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            events.add(new Event(history.get(i).call(), false, i));
            events.add(new Event(history.get(i).ret(), true, i));
        }
        events.sort(Comparator.comparingLong(Event::time).thenComparing(Event::isReturn)
                .thenComparingInt(Event::process));
        List<String> lines = new ArrayList<>();
        for (Event e : events) {
            Operation<RegisterOp, RegisterOutput> op = history.get(e.process());
            RegisterOp in = op.input();
            String f = in.kind().name().toLowerCase(Locale.ROOT);
            String type;
            String value;
            if (!e.isReturn()) {
                type = "invoke";
                value = argument(in);
            } else if (op.outcomeUnknown()) {
                type = "info";
                value = ":timed-out";
            } else if (in.kind() == RegisterOp.Kind.READ) {
                type = "ok";
                value = op.output().value() == null ? "nil" : token(op.output().value());
            } else {
                type = op.output().applied() ? "ok" : "fail";
                value = argument(in);
            }
            lines.add("INFO  jepsen.util - " + e.process() + "\t:" + type + "\t:" + f + "\t" + value);
        }
        return lines;
    }

    private static String argument(RegisterOp in) {
        return switch (in.kind()) {
            case READ -> "nil";
            case WRITE -> token(in.value());
            case CAS -> "[" + token(in.expected()) + " " + token(in.value()) + "]";
        };
    }

    private static String token(String value) {
        boolean oneToken = !value.isEmpty() && value.chars().noneMatch(c -> Character.isWhitespace(c) || c == ']');
        if (value.equals("nil") || !oneToken) {
            throw new IllegalArgumentException("value cannot be written to a Jepsen log: '" + value + "'");
        }
        return value;
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
