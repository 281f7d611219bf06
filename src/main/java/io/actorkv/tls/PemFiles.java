package io.actorkv.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;

/**
 * Certificates and keys read from PEM files as openssl and cert-manager
 * write them: a certificate file holds the chain, leaf first; a key file
 * holds one unencrypted key, PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA or EC)
 * or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). Every failure is an
 * {@link IllegalArgumentException} naming the file.
 */
public final class PemFiles {

  private static final char[] NO_PASSWORD = new char[0];

  private PemFiles() {}

  /** Every certificate in {@code file}, in order. */
  public static List<X509Certificate> certificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(X509Certificate.class::cast).toList();
      if (chain.isEmpty()) throw new IllegalArgumentException("no certificate in " + file);
      return chain;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM certificate file: " + file + ": " + e.getMessage(), e);
    }
  }

  /** The one private key in {@code file}. */
  public static PrivateKey privateKey(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      var der = PEMDecoder.decode(pem);
      if (!"PRIVATE KEY".equals(der.label())) return DERPrivateKeyLoader.load(der);
      for (String algorithm : List.of("RSA", "EC")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der.bytes()));
        } catch (GeneralSecurityException notThisOne) {
          // the next algorithm
        }
      }
      throw new IllegalArgumentException("not an RSA or EC key");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an unencrypted PEM private key (PKCS#8 RSA or EC, or PKCS#1 RSA): "
          + file + ": " + e.getMessage(), e);
    }
  }

  /** Key managers that present {@code certFile}'s chain with {@code keyFile}'s key. */
  static KeyManager[] keyManagers(Path certFile, Path keyFile) {
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile);
    if (!signsFor(key, chain.get(0))) {
      throw new IllegalArgumentException("the key in " + keyFile + " is not the key of the first certificate in "
          + certFile);
    }
    try {
      KeyStore store = emptyStore();
      store.setKeyEntry("key", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, NO_PASSWORD);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the key in " + keyFile + " does not fit the certificate in " + certFile
          + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code key} is the private half of {@code certificate}'s public key: a signature checks it. */
  private static boolean signsFor(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
    };
    byte[] probe = "actorkv key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Trust managers that trust exactly the certificates in {@code caFile}. */
  static TrustManager[] trustManagers(Path caFile) {
    try {
      KeyStore store = emptyStore();
      List<X509Certificate> cas = certificates(caFile);
      for (int i = 0; i < cas.size(); i++) store.setCertificateEntry("ca-" + i, cas.get(i));
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot trust the certificates in " + caFile + ": " + e.getMessage(), e);
    }
  }

  /** A client's context that trusts the CAs in {@code caFile} only, and presents no certificate. */
  public static SSLContext clientContext(Path caFile) {
    return context(null, trustManagers(caFile));
  }

  static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM offers no TLS: " + e.getMessage(), e);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
