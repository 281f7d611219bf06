package io.actorkv.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM as the JDK provides it, in one format for wrapped data keys
 * and sealed values alike: a version byte, a random 12-byte nonce, then the
 * ciphertext with its 16-byte tag. The associated data is never stored: the
 * caller makes it again from where the bytes belong, so bytes moved
 * elsewhere do not open.
 */
final class AesGcm {

  static final int KEY_BYTES = 32;
  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  /** What sealing adds to a plaintext's length. */
  static final int OVERHEAD = 1 + NONCE_BYTES + TAG_BITS / 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  private AesGcm() {}

  static SecretKey key(byte[] bytes) {
    if (bytes.length != KEY_BYTES) {
      throw new IllegalArgumentException("an AES-256 key has " + KEY_BYTES + " bytes, not " + bytes.length);
    }
    return new SecretKeySpec(bytes, "AES");
  }

  static SecretKey newKey() {
    byte[] bytes = new byte[KEY_BYTES];
    RANDOM.nextBytes(bytes);
    return key(bytes);
  }

  static byte[] seal(SecretKey key, byte[] aad, byte[] plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad);
      ByteBuffer out = ByteBuffer.allocate(OVERHEAD + plaintext.length);
      out.put(VERSION).put(nonce);
      cipher.doFinal(ByteBuffer.wrap(plaintext), out);
      return out.array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot encrypt with AES-256-GCM", e);
    }
  }

  /** The plaintext, or null if {@code sealed} was not sealed with this key and associated data. */
  static byte[] open(SecretKey key, byte[] aad, byte[] sealed) {
    if (sealed.length < OVERHEAD || sealed[0] != VERSION) return null;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
      cipher.updateAAD(aad);
      return cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
    } catch (javax.crypto.AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot decrypt with AES-256-GCM", e);
    }
  }
}
