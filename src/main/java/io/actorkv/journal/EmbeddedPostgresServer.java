package io.actorkv.journal;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server of one data directory: the default journal of a
 * single node. Its binaries come inside the jar (io.zonky's builds of
 * PostgreSQL 14) and are unpacked once into {@code <data-dir>/postgres/server};
 * its cluster is {@code <data-dir>/postgres/data}.
 *
 * <p>Durable by PostgreSQL's rules: {@code fsync}, {@code synchronous_commit}
 * and {@code full_page_writes} are set on the command line, which outranks
 * every configuration file, so a commit returns only once its WAL is on
 * stable storage, and commits that wait together share one flush.
 *
 * <p>The server listens on 127.0.0.1 only, on a port free at start, with no
 * Unix socket; its superuser has a random password kept in
 * {@code <data-dir>/postgres/password} (owner-only). The node holds a lock on
 * {@code <data-dir>/postgres/lock} while it runs. A server still running
 * without a holder of that lock belongs to a process that was killed (the
 * server outlives it): it is stopped before a new one starts, and a stale
 * {@code postmaster.pid} is PostgreSQL's own to clear.
 *
 * <p>A postmaster that exits while its node runs (the kernel's OOM killer,
 * a signal sent by hand) is started again on the same port, every few
 * seconds until it runs, so the node's connection pools reconnect to it and
 * the node serves again; PostgreSQL's crash recovery keeps every commit.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  static final String DATABASE = "actorkv";
  static final String USER = "postgres";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** The longest wait between two attempts to start a postmaster that exited again. */
  private static final Duration RESTART_BACKOFF_MAX = Duration.ofSeconds(10);

  private final Path home;
  private final Path server;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final int port;
  private final String password;
  /** Set by {@link #close}: from then on a postmaster that exits is not started again. */
  private boolean stopped;
  private final ExitGuard exitGuard;

  private EmbeddedPostgresServer(Path home, Path server, FileChannel lockChannel, FileLock lock, int port,
                                 String password, ExitGuard exitGuard) {
    this.home = home;
    this.server = server;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.port = port;
    this.password = password;
    this.exitGuard = exitGuard;
  }

  /**
   * A JVM shutdown hook that stops the server if the process exits before
   * the server's owner has taken its stopping over ({@link #stopsWithItsOwner}):
   * a signal in a node's or a command's first seconds (Ctrl-C during the
   * quick start), or a start that failed once the server ran. The server
   * outlived such a process until the next start found it. A start holds
   * the guard's monitor, so the guard stops what it started, and no start
   * comes after it.
   */
  private static final class ExitGuard extends Thread {
    private final Path server;
    private final Path home;
    private final Path data;
    private volatile EmbeddedPostgresServer started;
    private boolean exiting;

    ExitGuard(Path server, Path home, Path data) {
      super("actorkv-embedded-postgres-exit");
      this.server = server;
      this.home = home;
      this.data = data;
    }

    /** Starts the server with {@code start}, unless the JVM is exiting. */
    synchronized void start(Runnable start) {
      if (exiting) throw new IllegalStateException("the process is exiting");
      start.run();
    }

    @Override
    public void run() {
      EmbeddedPostgresServer running = started;
      if (running != null) {
        running.close();
        return;
      }
      synchronized (this) {
        exiting = true;
      }
      try {
        if (runningPostmaster(data).isPresent()) {
          pgCtl(server, home, "stop", "-D", data.toString(), "-m", "fast", "-w", "-t", "60");
        }
      } catch (IOException | RuntimeException e) {
        log.warn("The embedded PostgreSQL of {} may still run: {}", home, e.toString());
      }
    }

    void disarm() {
      try {
        Runtime.getRuntime().removeShutdownHook(this);
      } catch (IllegalStateException exiting) {
        // the JVM is running its hooks, this one among them
      }
    }
  }

  /**
   * The caller stops this server itself when the JVM exits, after what
   * still needs it (a node's drain): the server's own hook, which would
   * stop it at once, is removed.
   */
  public void stopsWithItsOwner() {
    exitGuard.disarm();
  }

  /** Where the embedded server of {@code dataDir} keeps everything. */
  static Path home(Path dataDir) {
    return dataDir.resolve("postgres");
  }

  /** Whether {@code dataDir} holds an embedded PostgreSQL cluster. */
  static boolean existsIn(Path dataDir) {
    return Files.isRegularFile(home(dataDir).resolve("data").resolve("PG_VERSION"));
  }

  /**
   * Starts the server of {@code dataDir} (creating its cluster and the
   * {@code actorkv} database the first time) and returns once it accepts
   * connections. Fails if another process runs it.
   */
  public static EmbeddedPostgresServer start(Path dataDir) {
    Path home = home(dataDir);
    FileChannel channel = null;
    try {
      Files.createDirectories(home);
      channel = FileChannel.open(home.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameJvm) {
        lock = null;
      }
      if (lock == null) {
        throw new JournalStartFailed("another process runs the embedded journal of " + dataDir
            + " (a node serving it, or a command reading it): stop it first", null);
      }
      Path server = unpackBinaries(home);
      Path data = home.resolve("data");
      ExitGuard guard = new ExitGuard(server, home, data);
      Runtime.getRuntime().addShutdownHook(guard);
      String password = password(home);
      if (!Files.isRegularFile(data.resolve("PG_VERSION"))) {
        initdb(server, home, data);
      } else {
        stopOrphan(server, home, data);
      }
      int port = startServer(server, home, data, guard);
      EmbeddedPostgresServer started = new EmbeddedPostgresServer(home, server, channel, lock, port, password,
          guard);
      guard.started = started;
      started.createDatabase();
      runningPostmaster(data).ifPresentOrElse(started::watch, () -> log.warn(
          "The embedded PostgreSQL of {} runs, but its process cannot be found: it is not started again if it exits",
          home));
      return started;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new JournalStartFailed("the embedded PostgreSQL journal in " + home + " did not start: " + e, e);
    } catch (JournalStartFailed e) {
      closeQuietly(channel);
      throw e;
    } catch (RuntimeException e) {
      closeQuietly(channel);
      // pg_ctl's own output only says to look at the server's log, where the reason is.
      String log = String.valueOf(e.getMessage()).startsWith("pg_ctl") ? tail(home.resolve("server.log")) : "";
      throw new JournalStartFailed("the embedded PostgreSQL journal in " + home + " did not start: " + e.getMessage()
          + (log.isEmpty() ? "" : "; its log ends: " + log), e);
    }
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  /** Stops the server (fast shutdown: a checkpoint, then exit) and releases the data directory. */
  @Override
  public synchronized void close() {
    if (stopped) return;
    stopped = true;
    if (Thread.currentThread() != exitGuard) exitGuard.disarm();
    try {
      pgCtl(server, home, "stop", "-D", home.resolve("data").toString(), "-m", "fast", "-w", "-t", "60");
    } catch (IllegalStateException e) {
      log.warn("The embedded PostgreSQL of {} did not stop cleanly (it recovers at its next start): {}", home,
          e.getMessage());
    } finally {
      try {
        lock.release();
      } catch (IOException ignored) {
        // the channel closes below, which releases it too
      }
      closeQuietly(lockChannel);
    }
  }

  /**
   * The archive inside the jar, unpacked into {@code server} unless the
   * same archive (by SHA-256) already was. A half-unpacked directory has no
   * marker and is unpacked again.
   */
  private static Path unpackBinaries(Path home) throws IOException {
    byte[] archive;
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(operatingSystem(), architecture())) {
      if (in == null) {
        throw new IllegalStateException("no embedded PostgreSQL for " + System.getProperty("os.name") + " "
            + System.getProperty("os.arch") + ": give --db-url, or --journal h2");
      }
      archive = in.readAllBytes();
    }
    String digest = sha256(archive);
    Path server = home.resolve("server");
    Path marker = server.resolve(".unpacked");
    if (Files.isRegularFile(marker) && Files.readString(marker).equals(digest)) return server;
    deleteTree(server);
    Files.createDirectories(server);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path target = server.resolve(entry.getName()).normalize();
        if (!target.startsWith(server)) throw new IOException("archive entry outside its directory: " + entry.getName());
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(target.getParent());
          Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createDirectories(target.getParent());
          Files.createLink(target, server.resolve(entry.getLinkName()));
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target);
          if ((entry.getMode() & 0100) != 0 || entry.getName().matches("(\\./)?bin/.*")) {
            target.toFile().setExecutable(true, false);
          }
        }
      }
    }
    Files.writeString(marker, digest);
    return server;
  }

  /** The superuser's password, made once. */
  private static String password(Path home) throws IOException {
    Path file = home.resolve("password");
    if (Files.isRegularFile(file)) return Files.readString(file).strip();
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Path fresh = home.resolve("password.new");
    Files.deleteIfExists(fresh);
    Files.createFile(fresh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(fresh, password);
    Files.move(fresh, file);
    return password;
  }

  private static void initdb(Path server, Path home, Path data) throws IOException {
    deleteTree(data);
    Path pwfile = home.resolve("password");
    List<String> command = List.of(server.resolve("bin/initdb").toString(), "-D", data.toString(),
        "-U", USER, "--pwfile", pwfile.toString(), "--auth", "scram-sha-256", "-E", "UTF-8", "--locale", "C");
    run(command, home.resolve("initdb.log"), "initdb");
  }

  /**
   * A server whose postmaster.pid names a live postgres process and whose
   * lock nobody held: the last node here was killed and its server lives on.
   * Stop it, so that the new server can take the directory. A pid file of
   * a process that is gone is left to PostgreSQL, which removes it.
   */
  private static void stopOrphan(Path server, Path home, Path data) throws IOException {
    Optional<ProcessHandle> process = runningPostmaster(data);
    if (process.isEmpty()) return;
    log.warn("The embedded PostgreSQL of {} still runs (pid {}) after its node stopped without stopping it: "
        + "stopping it before starting again", home, process.get().pid());
    pgCtl(server, home, "stop", "-D", data.toString(), "-m", "fast", "-w", "-t", "60");
  }

  /** Starts the postmaster on a free loopback port; retries with another port if that one was taken meanwhile. */
  private static int startServer(Path server, Path home, Path data, ExitGuard guard) throws IOException {
    IllegalStateException failure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      try {
        guard.start(() -> startOn(server, home, data, port));
        return port;
      } catch (IllegalStateException e) {
        failure = e;
      }
    }
    throw failure;
  }

  /** Starts the postmaster on {@code port} and returns once it accepts connections. */
  private static void startOn(Path server, Path home, Path data, int port) {
    String options = String.join(" ", "-p", Integer.toString(port),
        "-c", "listen_addresses=127.0.0.1",
        "-c", "unix_socket_directories=",
        "-c", "fsync=on",
        "-c", "synchronous_commit=on",
        "-c", "full_page_writes=on",
        "-c", "max_connections=100",
        "-c", "timezone=UTC");
    pgCtl(server, home, "start", "-D", data.toString(), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()),
        "-l", home.resolve("server.log").toString(), "-o", options);
  }

  /** The {@code postgres} process that {@code postmaster.pid} names, if it runs. */
  private static Optional<ProcessHandle> runningPostmaster(Path data) throws IOException {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) return Optional.empty();
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) return Optional.empty();
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).strip());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
  }

  /** {@link #runningPostmaster}, which must be there: pg_ctl has just started it. */
  private static ProcessHandle startedPostmaster(Path data) throws IOException {
    return runningPostmaster(data).orElseThrow(() -> new IllegalStateException(
        "pg_ctl started the server, but " + data.resolve("postmaster.pid") + " names no running postgres"));
  }

  /** Starts the postmaster again, on a thread of its own, once {@code postmaster} has exited. */
  private void watch(ProcessHandle postmaster) {
    postmaster.onExit().thenRun(() -> {
      Thread restart = new Thread(() -> startAgain(postmaster.pid()), "actorkv-embedded-postgres-restart");
      restart.setDaemon(true);
      restart.start();
    });
  }

  /**
   * Starts the postmaster again on its port after {@code pid} exited, until
   * it runs or the node stops; waits between attempts grow to
   * {@link #RESTART_BACKOFF_MAX}. An attempt holds this object's lock, so
   * {@link #close} stops whatever it started.
   */
  private void startAgain(long pid) {
    Path data = home.resolve("data");
    long waitMillis = 500;
    for (int attempt = 1; ; attempt++) {
      synchronized (this) {
        if (stopped) return;
        if (attempt == 1) {
          log.error("The embedded PostgreSQL of {} (pid {}) exited while its node runs: starting it again on port {}",
              home, pid, port);
        }
        try {
          // A server that an attempt before started after pg_ctl stopped waiting for it is not started twice.
          if (runningPostmaster(data).isEmpty()) startOn(server, home, data, port);
          ProcessHandle restarted = startedPostmaster(data);
          log.warn("The embedded PostgreSQL of {} runs again (pid {}, attempt {}); see {} for why it exited",
              home, restarted.pid(), attempt, home.resolve("server.log"));
          watch(restarted);
          return;
        } catch (IOException | RuntimeException e) {
          log.error("The embedded PostgreSQL of {} did not start again (attempt {}), trying again in {} ms: {}",
              home, attempt, waitMillis, e.getMessage());
        }
      }
      try {
        Thread.sleep(waitMillis);
      } catch (InterruptedException e) {
        return;
      }
      waitMillis = Math.min(waitMillis * 2, RESTART_BACKOFF_MAX.toMillis());
    }
  }

  private void createDatabase() {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER,
        password); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (rs.next()) return;
      }
      s.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      close();
      // 28P01: the password in the file is not the server's (the file was edited or copied from elsewhere).
      String hint = "28P01".equals(e.getSQLState()) ? " (the password is read from " + home.resolve("password")
          + ")" : "";
      throw new IllegalStateException("cannot connect to the embedded PostgreSQL: " + e.getMessage() + hint, e);
    }
  }

  private static void pgCtl(Path server, Path home, String... args) {
    List<String> command = new ArrayList<>(List.of(server.resolve("bin/pg_ctl").toString()));
    command.addAll(List.of(args));
    run(command, home.resolve("pg_ctl.log"), "pg_ctl " + args[0]);
  }

  /**
   * Runs a PostgreSQL program, as an unprivileged user when this process is
   * root (PostgreSQL refuses root): in a user namespace of its own, where
   * it and the data directory both belong to "nobody".
   */
  private static void run(List<String> command, Path output, String what) {
    List<String> full = new ArrayList<>();
    if (isRoot()) full.addAll(List.of("unshare", "-U"));
    full.addAll(command);
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
      if (!process.waitFor(START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(what + " did not finish; see " + output);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(what + " failed (exit " + process.exitValue() + "): "
            + tail(output) + " (more in " + output + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + what, e);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static String tail(Path output) {
    try {
      List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The names io.zonky's binaries are published under. */
  private static String operatingSystem() {
    String name = System.getProperty("os.name");
    if (name.startsWith("Linux")) return "Linux";
    if (name.startsWith("Mac")) return "Darwin";
    throw new IllegalStateException("the embedded PostgreSQL journal runs on Linux and macOS, not " + name
        + ": give --db-url, or --journal h2");
  }

  private static String architecture() {
    String arch = System.getProperty("os.arch");
    return arch.equals("amd64") ? "x86_64" : arch;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // releasing the lock is all that matters, and closing does that
    }
  }
}
