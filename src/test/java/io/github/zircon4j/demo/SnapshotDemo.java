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
 * The README's first command: puts a file's bytes (or 64 MiB of generated data) into a VMO, takes
 * an {@link ImmutableMapping}, overwrites the VMO, and shows that the mapping still holds the old
 * bytes, with how long the snapshot took next to copying the bytes out.
 */
public final class SnapshotDemo {
  private static final int GENERATED_BYTES = 64 << 20;

  private SnapshotDemo() {}

  public static void main(String[] args) throws IOException {
    boolean fromFile = args.length > 0 && !args[0].isBlank();
    byte[] data = fromFile ? Files.readAllBytes(Path.of(args[0])) : generated();
    String source = fromFile ? args[0] : "generated data";
    System.out.printf("zircon4j mapped-vmo demo: %,d bytes of %s%n", data.length, source);

    warmUp();
    try (Vmo vmo = Vmo.create(data.length)) {
      vmo.write(data, 0);
      long originalSum = checksum(MemorySegment.ofArray(data));

      long mapStart = System.nanoTime();
      try (ImmutableMapping snapshot = ImmutableMapping.create(vmo, false)) {
        long mapNanos = System.nanoTime() - mapStart;

        byte[] overwrite = new byte[data.length];
        Arrays.fill(overwrite, (byte) 0xFF);
        vmo.write(overwrite, 0);

        byte[] copy = new byte[data.length];
        long copyStart = System.nanoTime();
        vmo.read(copy, 0);
        long copyNanos = System.nanoTime() - copyStart;

        long snapshotSum = checksum(snapshot.segment().asSlice(0, data.length));
        long vmoSum = checksum(MemorySegment.ofArray(copy));
        System.out.printf("  CRC32C of the original bytes        %08x%n", originalSum);
        System.out.printf("  CRC32C of the VMO after overwriting %08x%n", vmoSum);
        System.out.printf(
            "  CRC32C of the snapshot mapping      %08x  (%s)%n",
            snapshotSum,
            snapshotSum == originalSum ? "still the old bytes" : "CHANGED: this is a bug");
        System.out.printf("  snapshot + map (zero-copy)          %,12d ns%n", mapNanos);
        System.out.printf("  copy out with zx_vmo_read           %,12d ns%n", copyNanos);
        System.out.printf(
            "  (one run each after a warm-up; `mvn -B -Pbench verify` measures properly)%n");
        if (snapshotSum != originalSum) {
          System.exit(1);
        }
      }
    }
  }

  /** Links the native calls once, so the timings below measure the operations, not start-up. */
  private static void warmUp() {
    try (Vmo vmo = Vmo.create(1)) {
      for (int i = 0; i < 100; i++) {
        try (ImmutableMapping mapping = ImmutableMapping.create(vmo, false)) {
          vmo.read(new byte[1], 0);
        }
      }
    }
  }

  private static byte[] generated() {
    byte[] data = new byte[GENERATED_BYTES];
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
