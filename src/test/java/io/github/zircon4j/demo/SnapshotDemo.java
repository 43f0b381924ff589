package io.github.zircon4j.demo;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.Vmo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The README's first command: puts a file's bytes (or, without a file, 16 KiB and 64 MiB of
 * generated data) into a VMO, takes an {@link ImmutableMapping}, overwrites the VMO, and shows that
 * the mapping still holds the old bytes. Then it times a writer's cycle many times (write a few
 * bytes, snapshot + map + unmap) next to copying the bytes out, and prints the medians.
 */
public final class SnapshotDemo {
  private static final int SMALL_BYTES = 16 << 10;
  private static final int LARGE_BYTES = 64 << 20;

  private SnapshotDemo() {}

  public static void main(String[] args) throws IOException {
    warmUp();
    boolean ok;
    if (args.length > 0 && !args[0].isBlank()) {
      byte[] data = readDemoFile(Path.of(args[0]));
      if (data == null) {
        System.exit(2);
      }
      ok = demo(data, args[0]);
    } else {
      ok =
          demo(generated(SMALL_BYTES), "generated data")
              & demo(generated(LARGE_BYTES), "generated data");
    }
    if (!ok) {
      System.exit(1);
    }
  }

  /** The file's bytes, or null after saying on stderr why it cannot be the demo's input. */
  private static byte[] readDemoFile(Path file) {
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (IOException | OutOfMemoryError e) {
      System.err.printf(
          "zircon4j demo: cannot read -Ddemo.file=%s (%s). Give a readable regular file, or leave"
              + " demo.file out to use generated data.%n",
          file, e);
      return null;
    }
    if (data.length == 0) {
      System.err.printf(
          "zircon4j demo: -Ddemo.file=%s is empty, and a snapshot of nothing shows nothing (a VMO"
              + " of size 0 has no page to map). Give a file with at least one byte, or leave"
              + " demo.file out to use generated data.%n",
          file);
      return null;
    }
    return data;
  }

  /** Shows the snapshot's isolation and the timings for one input; false if isolation failed. */
  private static boolean demo(byte[] data, String source) {
    System.out.printf("zircon4j mapped-vmo demo: %,d bytes of %s%n", data.length, source);
    try (Vmo vmo = Vmo.create(data.length)) {
      vmo.write(data, 0);
      long originalSum = checksum(MemorySegment.ofArray(data));
      long snapshotSum;
      long vmoSum;
      try (ImmutableMapping snapshot = ImmutableMapping.create(vmo)) {
        byte[] overwrite = new byte[data.length];
        Arrays.fill(overwrite, (byte) 0xFF);
        vmo.write(overwrite, 0);
        byte[] copy = new byte[data.length];
        vmo.read(copy, 0);
        snapshotSum = checksum(snapshot.segment().asSlice(0, data.length));
        vmoSum = checksum(MemorySegment.ofArray(copy));
      }
      System.out.printf("  CRC32C of the original bytes        %08x%n", originalSum);
      System.out.printf("  CRC32C of the VMO after overwriting %08x%n", vmoSum);
      System.out.printf(
          "  CRC32C of the snapshot mapping      %08x  (%s)%n",
          snapshotSum,
          snapshotSum == originalSum ? "still the old bytes" : "CHANGED: this is a bug");

      // A writer's cycle: a few bytes written, then a snapshot mapped and dropped; next to it,
      // what copying the bytes out costs. Many runs, medians: one run says little here.
      int runs = data.length <= (1 << 20) ? 1001 : 31;
      long[] snapshotNanos = new long[runs];
      long[] copyNanos = new long[runs];
      byte[] copy = new byte[data.length];
      byte[] stamp = new byte[8];
      for (int i = 0; i < runs; i++) {
        Arrays.fill(stamp, (byte) i);
        vmo.write(stamp, (long) i * 4096 % Math.max(1, data.length - stamp.length));
        long start = System.nanoTime();
        try (ImmutableMapping snapshot = ImmutableMapping.create(vmo)) {
          snapshotNanos[i] = System.nanoTime() - start;
        }
        start = System.nanoTime();
        vmo.read(copy, 0);
        copyNanos[i] = System.nanoTime() - start;
      }
      System.out.printf(
          "  snapshot + map + unmap after a write %,11d ns  (median of %d runs)%n",
          median(snapshotNanos), runs);
      System.out.printf(
          "  copy out with zx_vmo_read            %,11d ns  (median of %d runs)%n",
          median(copyNanos), runs);
      return snapshotSum == originalSum;
    }
  }

  private static long median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** Links the native calls once, so the timings below measure the operations, not start-up. */
  private static void warmUp() {
    try (Vmo vmo = Vmo.create(1)) {
      for (int i = 0; i < 100; i++) {
        try (ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
          vmo.read(new byte[1], 0);
        }
      }
    }
  }

  private static byte[] generated(int size) {
    byte[] data = new byte[size];
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < data.length; i += 8) {
      long word = random.nextLong();
      for (int b = 0; b < 8; b++) {
        data[i + b] = (byte) (word >>> (8 * b));
      }
    }
    return data;
  }

  private static long checksum(MemorySegment bytes) {
    CRC32C crc = new CRC32C();
    long chunk = 1 << 20;
    for (long offset = 0; offset < bytes.byteSize(); offset += chunk) {
      long length = Math.min(chunk, bytes.byteSize() - offset);
      crc.update(bytes.asSlice(offset, length).asByteBuffer());
    }
    return crc.getValue();
  }
}
