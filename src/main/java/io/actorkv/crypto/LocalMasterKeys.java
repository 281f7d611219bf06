package io.actorkv.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * Master keys held by the node itself: the current one, from a file or the
 * environment (base64 of 32 bytes, the form {@code actorkv token
 * --new-secret} writes), and older ones still accepted while their data keys
 * are wrapped again. A key's id is derived from the key, so nodes given the
 * same file agree on it without being told.
 */
public final class LocalMasterKeys implements MasterKeys {

  private final String currentId;
  private final Map<String, SecretKey> byId;

  private LocalMasterKeys(byte[] current, List<byte[]> previous) {
    this.byId = new LinkedHashMap<>();
    this.currentId = id(current);
    byId.put(currentId, AesGcm.key(current));
    for (byte[] p : previous) byId.putIfAbsent(id(p), AesGcm.key(p));
  }

  public static LocalMasterKeys of(byte[] current, List<byte[]> previous) {
    return new LocalMasterKeys(current, previous);
  }

  /**
   * The current key from {@code file} or, without one, from {@code base64}
   * (the environment's); the previous ones from their files. Empty when
   * neither is given: encryption at rest is off.
   *
   * @throws IllegalArgumentException for a key that cannot be read or is not 32 bytes
   */
  public static Optional<MasterKeys> load(String file, String base64, List<String> previousFiles) {
    byte[] current = !file.isEmpty() ? read(Path.of(file)) : !base64.isEmpty() ? decode(base64, "ACTORKV_MASTER_KEY")
        : null;
    if (current == null) {
      if (!previousFiles.isEmpty()) {
        throw new IllegalArgumentException("a previous master key needs a current one (--master-key-file)");
      }
      return Optional.empty();
    }
    return Optional.of(new LocalMasterKeys(current, previousFiles.stream().map(f -> read(Path.of(f))).toList()));
  }

  private static byte[] read(Path file) {
    try {
      return decode(Files.readString(file, StandardCharsets.UTF_8).trim(), "the master key file " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the master key file " + file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] decode(String text, String where) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " must hold base64 (as 'actorkv token --new-secret FILE' writes it)");
    }
    if (key.length != AesGcm.KEY_BYTES) {
      throw new IllegalArgumentException(where + " holds " + key.length + " bytes; a master key has "
          + AesGcm.KEY_BYTES + ". Make one with 'actorkv token --new-secret FILE'");
    }
    return key;
  }

  /** The first 8 bytes of the key's SHA-256, in hex: names the key without revealing it. */
  static String id(byte[] key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("actorkv master key id\n".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(key), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  @Override
  public String currentId() {
    return currentId;
  }

  @Override
  public Wrapped wrap(byte[] dataKey, byte[] context) {
    return new Wrapped(currentId, AesGcm.seal(byId.get(currentId), context, dataKey));
  }

  @Override
  public Optional<byte[]> unwrap(Wrapped wrapped, byte[] context) {
    SecretKey key = byId.get(wrapped.masterKeyId());
    return key == null ? Optional.empty() : Optional.ofNullable(AesGcm.open(key, context, wrapped.bytes()));
  }
}
