package io.actorkv.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser for Porcupine's key-value logs, one EDN map per line, e.g.
 * {@code {:process 0, :type :invoke, :f :put, :key "3", :value "x 0 1 y"}}, checked with
 * {@link Models#kv()}. Line order gives the times.
 *
 * <p>{@code :ok} completes the process's open operation (for a get, {@code :value} is what it
 * read). {@code :fail} means it did not take effect and drops it; {@code :info} and operations
 * still open at the end have unknown outcome. Blank lines are skipped; anything else malformed is
 * an error.
 */
public final class PorcupineKvHistory {

    private record Open(KvOp input, long call) {
    }

    private PorcupineKvHistory() {
    }

    /** Reads a whole log. Throws IllegalArgumentException naming file and line on a malformed line. */
    public static List<Operation<KvOp, String>> parse(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses log lines; {@code source} only labels error messages. */
    public static List<Operation<KvOp, String>> parse(List<String> lines, String source) {
        List<Operation<KvOp, String>> history = new ArrayList<>();
        Map<Long, Open> open = new HashMap<>();
        long time = 0;
        for (int lineNo = 1; lineNo <= lines.size(); lineNo++) {
            String line = lines.get(lineNo - 1).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                Map<String, Object> event = new EdnMap(line).parse();
                long process = number(event, "process");
                String type = keyword(event, "type");
                String f = keyword(event, "f");
                Object key = event.get("key");
                if (!(key instanceof String)) {
                    throw new IllegalArgumentException(":key must be a string");
                }
                Object value = event.get("value");
                long now = time++;
                if (type.equals("invoke")) {
                    KvOp input = switch (f) {
                        case "get" -> KvOp.get((String) key);
                        case "put" -> KvOp.put((String) key, string(value));
                        case "append" -> KvOp.append((String) key, string(value));
                        default -> throw new IllegalArgumentException("unknown :f :" + f);
                    };
                    if (open.put(process, new Open(input, now)) != null) {
                        throw new IllegalArgumentException("process " + process + " invoked twice without completing");
                    }
                    continue;
                }
                Open started = open.remove(process);
                if (started == null || !started.input().kind().name().equalsIgnoreCase(f)) {
                    throw new IllegalArgumentException("process " + process + " has no open :" + f);
                }
                switch (type) {
                    case "ok" -> history.add(Operation.completed((int) process, started.input(), started.call(),
                            f.equals("get") ? string(value) : null, now));
                    case "fail" -> { } // did not happen
                    case "info" -> history.add(Operation.unknown((int) process, started.input(), started.call()));
                    default -> throw new IllegalArgumentException("unknown :type :" + type);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + lineNo + ": " + e.getMessage(), e);
            }
        }
        open.forEach((process, o) -> history.add(Operation.unknown(process.intValue(), o.input(), o.call())));
        return history;
    }

    private static long number(Map<String, Object> event, String field) {
        if (event.get(field) instanceof Long n) {
            return n;
        }
        throw new IllegalArgumentException(":" + field + " must be an integer");
    }

    private static String keyword(Map<String, Object> event, String field) {
        if (event.get(field) instanceof Keyword k) {
            return k.name();
        }
        throw new IllegalArgumentException(":" + field + " must be a keyword");
    }

    private static String string(Object value) {
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(":value must be a string");
    }

    private record Keyword(String name) {
    }

    /** Just enough EDN for one flat map of keywords to keywords, integers, strings and nil. */
    private static final class EdnMap {
        private final String text;
        private int pos;

        EdnMap(String text) {
            this.text = text;
        }

        Map<String, Object> parse() {
            Map<String, Object> map = new HashMap<>();
            expect('{');
            while (true) {
                skipSeparators();
                if (peek() == '}') {
                    pos++;
                    break;
                }
                if (!(value() instanceof Keyword key)) {
                    throw new IllegalArgumentException("map keys must be keywords at column " + (pos + 1));
                }
                skipSeparators();
                map.put(key.name(), value());
            }
            skipSeparators();
            if (pos != text.length()) {
                throw new IllegalArgumentException("trailing text at column " + (pos + 1));
            }
            return map;
        }

        private Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            int start = pos;
            while (pos < text.length() && !isSeparator(text.charAt(pos)) && text.charAt(pos) != '}') {
                pos++;
            }
            String token = text.substring(start, pos);
            if (token.startsWith(":") && token.length() > 1) {
                return new Keyword(token.substring(1));
            }
            if (token.equals("nil")) {
                return null;
            }
            try {
                return Long.parseLong(token);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unsupported value '" + token + "' at column " + (start + 1));
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                char c = peek();
                pos++;
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    char esc = peek();
                    pos++;
                    sb.append(switch (esc) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> esc;
                    });
                } else {
                    sb.append(c);
                }
            }
        }

        private void expect(char c) {
            skipSeparators();
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at column " + (pos + 1));
            }
            pos++;
        }

        private char peek() {
            if (pos >= text.length()) {
                throw new IllegalArgumentException("unexpected end of line");
            }
            return text.charAt(pos);
        }

        private void skipSeparators() {
            while (pos < text.length() && isSeparator(text.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isSeparator(char c) {
            return c == ',' || Character.isWhitespace(c);
        }
    }
}
