package io.github.zircon4j.vmo.bench;

import io.github.zircon4j.vmo.Vmo;
import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_vmo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** VMOs and queries shared by the benchmarks and {@link SnapshotFootprint}. */
final class BenchVmos {
  static final long MIB = 1L << 20;
  static final long SIZE_256M = 256 * MIB;
  static final long SIZE_1G = 1024 * MIB;

  private BenchVmos() {}

  /** One page ({@code zx_system_get_page_size()}). Needs the library loaded (any Vmo call). */
  static long pageSize() {
    try (Vmo probe = Vmo.create(1)) {
      return probe.size(); // sizes are page-rounded, so a 1-byte VMO is exactly one page
    }
  }

  /**
   * A VMO of {@code size} bytes whose every 8-byte word {@code i} holds {@code i * 31 + 7}, written
   * with {@code zx_vmo_write} in 1 MiB chunks (every page committed).
   */
  static Vmo filled(long size) {
    Vmo vmo = Vmo.create(size);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment chunk = arena.allocate(MIB, 8);
      for (long off = 0; off < size; off += MIB) {
        long n = Math.min(MIB, size - off);
        for (long i = 0; i < n; i += 8) {
          chunk.set(ValueLayout.JAVA_LONG, i, ((off + i) / 8) * 31 + 7);
        }
        vmo.write(chunk.asSlice(0, n), off);
      }
    }
    return vmo;
  }

  /** The sum of the words {@link #filled} writes, as the readers compute it (wrapping). */
  static long expectedSum(long size) {
    long words = size / 8;
    long sum = 0;
    for (long i = 0; i < words; i++) {
      sum += i * 31 + 7;
    }
    return sum;
  }

  /** {@code committed_bytes} of {@code ZX_INFO_VMO} for {@code vmo}. */
  static long committedBytes(Vmo vmo) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = zx_info_vmo.allocate(arena);
      int status =
          Zircon.zx_object_get_info(
              vmo.handle(),
              Zircon.ZX_INFO_VMO(),
              info,
              info.byteSize(),
              MemorySegment.NULL,
              MemorySegment.NULL);
      if (status != Zircon.ZX_OK()) {
        throw new IllegalStateException("zx_object_get_info(ZX_INFO_VMO) failed: " + status);
      }
      return zx_info_vmo.committed_bytes(info);
    }
  }
}
