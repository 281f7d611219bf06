package io.actorkv.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of HTTPS from PEM files, reloaded when they change so that
 * a rotated certificate needs no restart: every new connection first looks
 * at the files' modification times, sizes and identities (a few {@code stat} calls), and
 * when they changed, the files are read again. Connections already open keep
 * the certificate they started with. Files that do not load (a rotation
 * caught halfway, a key that does not fit its certificate) are logged and
 * the previous certificate stays in use until the files change again.
 */
public final class ServerTls {

  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

  /** A context and the state of the files it was read from. */
  private record Loaded(SSLContext context, List<String> stamp) {}

  private final Path cert;
  private final Path key;
  private final Optional<Path> clientCa;
  private volatile Loaded current;

  private ServerTls(Path cert, Path key, Optional<Path> clientCa) {
    this.cert = cert;
    this.key = key;
    this.clientCa = clientCa;
    this.current = new Loaded(read(), stamp());
  }

  /**
   * Reads the files now; a failure is an {@link IllegalArgumentException} naming the file.
   *
   * @param clientCa when present, API clients must present a certificate issued by one of its CAs
   */
  public static ServerTls load(Path cert, Path key, Optional<Path> clientCa) {
    return new ServerTls(cert, key, clientCa);
  }

  /** An engine for a new API connection; it requires a client certificate when there is a client CA. */
  public SSLEngine apiEngine() {
    SSLEngine engine = engine();
    if (clientCa.isPresent()) engine.setNeedClientAuth(true);
    return engine;
  }

  /**
   * An engine for a new management connection, which never asks for a client
   * certificate: health probes (a kubelet's, a load balancer's) have none.
   */
  public SSLEngine managementEngine() {
    return engine();
  }

  private SSLEngine engine() {
    SSLEngine engine = fresh().context().createSSLEngine();
    engine.setUseClientMode(false);
    return engine;
  }

  private Loaded fresh() {
    Loaded loaded = current;
    List<String> now = stamp();
    if (now.equals(loaded.stamp())) return loaded;
    synchronized (this) {
      if (now.equals(current.stamp())) return current;
      try {
        current = new Loaded(read(), now);
        LOG.info("TLS: new connections present the certificate now in {}", cert);
      } catch (IllegalArgumentException e) {
        // Remembered with the new stamp, so that the files are read again only once they change again.
        current = new Loaded(current.context(), now);
        LOG.warn("TLS: keeping the previous certificate, the files changed but do not load: {}", e.getMessage());
      }
      return current;
    }
  }

  private SSLContext read() {
    return PemFiles.context(PemFiles.keyManagers(cert, key), clientCa.map(PemFiles::trustManagers).orElse(null));
  }

  /** Each file's modification time, size and identity (a rename replaces it); a file that cannot be read counts as a change. */
  private List<String> stamp() {
    List<String> stamp = new ArrayList<>(3);
    List<Path> files = new ArrayList<>(List.of(cert, key));
    clientCa.ifPresent(files::add);
    for (Path file : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        stamp.add(a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "/" + a.size() + "/" + a.fileKey());
      } catch (IOException e) {
        stamp.add("unreadable");
      }
    }
    return stamp;
  }
}
