package io.actorkv.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyHistoryTest {

    @TempDir
    Path dir;

    private Path file(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines));
    }

    private Path good() throws IOException {
        return file("good.log", "INFO  jepsen.util - 0\t:invoke\t:write\t1", "INFO  jepsen.util - 0\t:ok\t:write\t1",
                "INFO  jepsen.util - 1\t:invoke\t:read\tnil", "INFO  jepsen.util - 1\t:ok\t:read\t1");
    }

    private Path bad() throws IOException {
        return file("bad.log", "INFO  jepsen.util - 0\t:invoke\t:write\t1", "INFO  jepsen.util - 0\t:ok\t:write\t1",
                "INFO  jepsen.util - 1\t:invoke\t:read\tnil", "INFO  jepsen.util - 1\t:ok\t:read\tnil");
    }

    private record Run(int code, List<String> lines) {
    }

    private static Run run(String format, List<Path> files, Duration limit, boolean verbose) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = VerifyHistory.run(format, files, out, limit, verbose);
        return new Run(code, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void allLinearizableExitsZero() throws IOException {
        Path good = good();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = VerifyHistory.run("jepsen-etcd", List.of(good), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertEquals(List.of(good + " linearizable"), bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void anyViolationExitsOneEvenWithUnknownFiles() throws IOException {
        Path good = good();
        Path bad = bad();
        Run result = run("jepsen-etcd", List.of(good, bad), Duration.ofSeconds(10), false);
        assertEquals(1, result.code());
        assertEquals(List.of(good + " linearizable", bad + " not-linearizable"), result.lines());

        Run mixed = run("jepsen-etcd", List.of(bad, dir.resolve("missing.log")), Duration.ofSeconds(10), false);
        assertEquals(1, mixed.code());
        assertTrue(mixed.lines().get(1).startsWith(dir.resolve("missing.log") + " error: "), mixed.lines().toString());
    }

    @Test
    void verboseOutputShowsThePartialLinearization() throws IOException {
        Run result = run("jepsen-etcd", List.of(bad()), Duration.ofSeconds(10), true);
        assertEquals(1, result.code());
        assertTrue(result.lines().stream().anyMatch(l -> l.contains("write(1) -> ok")), result.lines().toString());
    }

    @Test
    void unknownOrErrorExitsTwo() throws IOException {
        Run unknown = run("jepsen-etcd", List.of(good()), Duration.ZERO, false);
        assertEquals(2, unknown.code());
        assertEquals(List.of(good() + " unknown"), unknown.lines());

        Path broken = file("broken.txt", "{:process 0, :type :invoke");
        assertEquals(2, run("porcupine-kv", List.of(broken), Duration.ofSeconds(10), false).code());
        assertEquals(2, run("no-such-format", List.of(good()), Duration.ofSeconds(10), false).code());
    }

    /** A file that cannot be read says why once, after its name. */
    @Test
    void anUnreadableFileSaysWhy() throws IOException {
        Path binary = Files.write(dir.resolve("binary.log"),
                new byte[] {(byte) 0xC3, (byte) 0x28, 0, 1});
        Path missing = binary.resolveSibling("missing.log");
        Run result = run("jepsen-etcd", List.of(binary, missing, binary.getParent()), Duration.ofSeconds(10), false);
        assertEquals(2, result.code());
        assertEquals(List.of(binary + " error: not UTF-8 text", missing + " error: no such file or directory",
                binary.getParent() + " error: Is a directory"), result.lines());
    }

    /**
     * A file with no operation of the format (empty, not a history, or a
     * history of the other format) is an error, not a linearizable history:
     * a wrong --format or path used to pass.
     */
    @Test
    void aFileWithNoOperationOfTheFormatIsAnError() throws IOException {
        Path kv = file("kv.txt", "{:process 0, :type :invoke, :f :get, :key \"1\", :value nil}",
                "{:process 0, :type :ok, :f :get, :key \"1\", :value nil}");
        for (Path none : List.of(file("empty.log"), file("junk.log", "hello world"), kv)) {
            Run result = run("jepsen-etcd", List.of(none), Duration.ofSeconds(10), false);
            assertEquals(2, result.code(), none.toString());
            assertEquals(List.of(none + " error: no jepsen-etcd operations in " + none
                    + " (is it a history of that format?)"), result.lines());
        }
        assertEquals(2, run("porcupine-kv", List.of(good()), Duration.ofSeconds(10), false).code());
    }

    @Test
    void kvFormatIsAccepted() throws IOException {
        Path kv = file("h.txt",
                "{:process 0, :type :invoke, :f :append, :key \"1\", :value \"x\"}",
                "{:process 0, :type :ok, :f :append, :key \"1\", :value \"x\"}",
                "{:process 1, :type :invoke, :f :get, :key \"1\", :value nil}",
                "{:process 1, :type :ok, :f :get, :key \"1\", :value \"x\"}");
        assertEquals(0, run("porcupine-kv", List.of(kv), Duration.ofSeconds(10), false).code());
    }
}
