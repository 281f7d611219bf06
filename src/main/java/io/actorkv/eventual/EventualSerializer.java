package io.actorkv.eventual;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import io.actorkv.store.Expiry;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.ORMap;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.Serializers;

/**
 * The binary form of {@link KeyEntry}, of {@link Bucket}s, their deltas and
 * keys, and of the version vector inside a causal context ({@link CausalContexts}).
 * Deterministic, as Distributed Data requires (it compares digests of
 * serialized state): every map is written in key order, node addresses once
 * each, in address order, referred to by index. Everything starts with a
 * format byte; the format of release 0.1 is still read. An entry holding a
 * sealed value ({@link VersionSeal}) is written in a format of its own, so
 * a node that cannot tell a sealed value from a plain one refuses it
 * rather than serving ciphertext; other entries keep the older format,
 * which nodes without a master key and earlier releases read. A bucket is its
 * {@code ORMap} (or a delta its {@code ORMap} delta) in Pekko's own form,
 * which writes each entry through this serializer.
 */
public final class EventualSerializer extends SerializerWithStringManifest {

  static final int IDENTIFIER = 730_001;
  private static final String KEY_ENTRY = "K";
  private static final String BUCKET = "B";
  private static final String DELTA = "D";
  private static final String BUCKET_KEY = "Y";
  /** What {@link #write} writes: counters' parts as unbounded integers. */
  private static final byte FORMAT = 2;
  /** {@link #FORMAT}, with a version's tombstone flag a byte of flags: {@link #TOMBSTONE}, {@link #SEALED}. */
  private static final byte SEALED_VALUES = 3;
  private static final int TOMBSTONE = 1;
  private static final int SEALED = 2;
  /** Release 0.1's format, still read: counters' parts as longs. */
  private static final byte LONG_COUNTERS = 1;
  private static final int MAX_NODES = 10_000;
  /** A version's expiry in this format: epoch milliseconds, or this for never. */
  private static final long NEVER = 0;

  /** For Pekko's serialization of the maps inside buckets, which does not exist yet while serializers are made. */
  private final ExtendedActorSystem system;

  public EventualSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof KeyEntry) return KEY_ENTRY;
    if (o instanceof Bucket) return BUCKET;
    if (o instanceof Bucket.Delta) return DELTA;
    if (o instanceof BucketKey) return BUCKET_KEY;
    throw new IllegalArgumentException("cannot serialize " + o.getClass());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof KeyEntry entry) {
      return entry.serialized(e -> write(formatOf(e), out -> writeEntry(e, out))).clone();
    }
    if (o instanceof Bucket bucket) return write(out -> writeNested(bucket.map(), out));
    if (o instanceof Bucket.Delta delta) return write(out -> writeNested(delta.op(), out));
    if (o instanceof BucketKey key) return write(out -> out.writeUTF(key.id()));
    throw new IllegalArgumentException("cannot serialize " + o.getClass());
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try {
      Input input = reader(bytes);
      var in = input.in();
      return switch (manifest) {
        case KEY_ENTRY -> readEntry(input);
        case BUCKET -> Bucket.of((ORMap<String, KeyEntry>) readNested(in, ORMap.class));
        case DELTA -> new Bucket.Delta(readNested(in, ORMap.DeltaOp.class));
        case BUCKET_KEY -> new BucketKey(in.readUTF());
        default -> throw new NotSerializableException("unknown manifest " + manifest);
      };
    } catch (IOException | RuntimeException e) {
      if (e instanceof NotSerializableException unknown) throw unknown;
      throw (NotSerializableException) new NotSerializableException("corrupt " + manifest + ": " + e).initCause(e);
    }
  }

  /** {@code o} as Pekko's serializer for it writes it, with that serializer's id and manifest. */
  private void writeNested(Object o, DataOutputStream out) throws IOException {
    Serializer serializer = SerializationExtension.get(system).findSerializerFor(o);
    out.writeInt(serializer.identifier());
    out.writeUTF(Serializers.manifestFor(serializer, o));
    out.write(serializer.toBinary(o));
  }

  private <T> T readNested(DataInputStream in, Class<T> type) throws IOException {
    int serializerId = in.readInt();
    String manifest = in.readUTF();
    Object o = SerializationExtension.get(system).deserialize(in.readAllBytes(), serializerId, manifest).get();
    if (!type.isInstance(o)) throw new IOException("expected " + type.getName() + ", read " + o.getClass().getName());
    return type.cast(o);
  }

  /** A version vector in this format, as a causal context carries it ({@link CausalContexts}). */
  static byte[] clockBytes(VClock clock) {
    return write(out -> {
      List<UniqueAddress> nodes = writeNodes(new TreeSet<>(clock.entries().keySet()), out);
      writeCounts(clock.entries(), nodes, out);
    });
  }

  /** @throws IOException if {@code bytes} are not exactly what {@link #clockBytes} makes */
  static VClock readClock(byte[] bytes) throws IOException {
    Input input = reader(bytes);
    List<UniqueAddress> nodes = readNodes(input.in());
    VClock clock = VClock.of(readCounts(nodes, input.in()));
    if (input.in().available() > 0) throw new IOException("trailing bytes");
    return clock;
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Writer writer) {
    return write(FORMAT, writer);
  }

  private static byte[] write(byte format, Writer writer) {
    try {
      var bytes = new ByteArrayOutputStream(256);
      var out = new DataOutputStream(bytes);
      out.writeByte(format);
      writer.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes written by {@link #write} (or by release 0.1), after their format byte. */
  private record Input(DataInputStream in, byte format) {}

  private static Input reader(byte[] bytes) throws IOException {
    var in = new DataInputStream(new ByteArrayInputStream(bytes));
    byte format = in.readByte();
    if (format != FORMAT && format != SEALED_VALUES && format != LONG_COUNTERS) {
      throw new IOException("unknown format " + format);
    }
    return new Input(in, format);
  }

  private static byte formatOf(KeyEntry entry) {
    return entry.holdsSealed() ? SEALED_VALUES : FORMAT;
  }

  /** An entry in {@code formatOf(entry)}. */
  private static void writeEntry(KeyEntry entry, DataOutputStream out) throws IOException {
    boolean flags = formatOf(entry) == SEALED_VALUES;
    TreeSet<UniqueAddress> all = new TreeSet<>(entry.clock().entries().keySet());
    entry.versions().forEach(v -> all.add(v.dot().node()));
    all.addAll(entry.increments().keySet());
    all.addAll(entry.decrements().keySet());
    List<UniqueAddress> nodes = writeNodes(all, out);
    writeCounts(entry.clock().entries(), nodes, out);
    out.writeInt(entry.versions().size());
    for (Version v : entry.versions()) {
      out.writeInt(index(nodes, v.dot().node()));
      out.writeLong(v.dot().counter());
      out.writeLong(v.timestamp());
      out.writeLong(v.expires().instant().map(Instant::toEpochMilli).orElse(NEVER));
      if (flags) {
        out.writeByte((v.tombstone() ? TOMBSTONE : 0) | (v.sealed() ? SEALED : 0));
      } else {
        out.writeBoolean(v.tombstone());
      }
      out.writeUTF(v.contentType());
      out.writeInt(v.value().length);
      out.write(v.value());
    }
    writeParts(entry.increments(), nodes, out);
    writeParts(entry.decrements(), nodes, out);
  }

  private static KeyEntry readEntry(Input input) throws IOException {
    DataInputStream in = input.in();
    List<UniqueAddress> nodes = readNodes(in);
    VClock clock = VClock.of(readCounts(nodes, in));
    int count = in.readInt();
    TreeMap<Dot, Version> versions = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      Dot dot = new Dot(nodes.get(in.readInt()), in.readLong());
      long timestamp = in.readLong();
      long expiresAt = in.readLong();
      Expiry expires = expiresAt == NEVER ? Expiry.NEVER : Expiry.at(Instant.ofEpochMilli(expiresAt));
      int flags = input.format() == SEALED_VALUES ? in.readUnsignedByte() : (in.readBoolean() ? TOMBSTONE : 0);
      if ((flags & ~(TOMBSTONE | SEALED)) != 0) throw new IOException("unknown version flags " + flags);
      String contentType = in.readUTF();
      byte[] value = new byte[in.readInt()];
      in.readFully(value);
      versions.put(dot, new Version(dot, value, contentType, timestamp, expires, (flags & TOMBSTONE) != 0,
          (flags & SEALED) != 0));
    }
    return new KeyEntry(clock, versions, readParts(nodes, input), readParts(nodes, input));
  }

  private static List<UniqueAddress> writeNodes(TreeSet<UniqueAddress> all, DataOutputStream out)
      throws IOException {
    out.writeInt(all.size());
    for (UniqueAddress node : all) {
      out.writeUTF(node.address().toString());
      out.writeLong(node.longUid());
    }
    return new ArrayList<>(all);
  }

  private static List<UniqueAddress> readNodes(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > MAX_NODES) throw new IOException("bad node count " + count);
    List<UniqueAddress> nodes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      nodes.add(new UniqueAddress(AddressFromURIString.parse(in.readUTF()), in.readLong()));
    }
    return nodes;
  }

  private static void writeCounts(SortedMap<UniqueAddress, Long> counts, List<UniqueAddress> nodes,
                                  DataOutputStream out) throws IOException {
    out.writeInt(counts.size());
    for (var e : counts.entrySet()) {
      out.writeInt(index(nodes, e.getKey()));
      out.writeLong(e.getValue());
    }
  }

  private static TreeMap<UniqueAddress, Long> readCounts(List<UniqueAddress> nodes, DataInputStream in)
      throws IOException {
    int count = in.readInt();
    if (count < 0 || count > nodes.size()) throw new IOException("bad count " + count);
    TreeMap<UniqueAddress, Long> counts = new TreeMap<>();
    for (int i = 0; i < count; i++) counts.put(nodes.get(in.readInt()), in.readLong());
    return counts;
  }

  /** A counter's parts per node: unbounded integers, each as its length and two's-complement bytes. */
  private static void writeParts(SortedMap<UniqueAddress, BigInteger> parts, List<UniqueAddress> nodes,
                                 DataOutputStream out) throws IOException {
    out.writeInt(parts.size());
    for (var e : parts.entrySet()) {
      out.writeInt(index(nodes, e.getKey()));
      byte[] n = e.getValue().toByteArray();
      out.writeShort(n.length);
      out.write(n);
    }
  }

  private static TreeMap<UniqueAddress, BigInteger> readParts(List<UniqueAddress> nodes, Input input)
      throws IOException {
    DataInputStream in = input.in();
    if (input.format() == LONG_COUNTERS) {
      TreeMap<UniqueAddress, BigInteger> parts = new TreeMap<>();
      readCounts(nodes, in).forEach((node, n) -> parts.put(node, BigInteger.valueOf(n)));
      return parts;
    }
    int count = in.readInt();
    if (count < 0 || count > nodes.size()) throw new IOException("bad count " + count);
    TreeMap<UniqueAddress, BigInteger> parts = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      UniqueAddress node = nodes.get(in.readInt());
      byte[] n = new byte[in.readUnsignedShort()];
      in.readFully(n);
      parts.put(node, new BigInteger(n));
    }
    return parts;
  }

  private static int index(List<UniqueAddress> sortedNodes, UniqueAddress node) {
    return Collections.binarySearch(sortedNodes, node);
  }
}
