package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code Vmo.read}/{@code write} of heap arrays, which pass through a native buffer of {@link
 * Syscalls#BOUNCE_BYTES} in pieces (ordinary downcalls cannot take heap memory): every byte lands
 * in its place across the pieces, and a call whose range ends past the VMO fails before anything is
 * read or written, as one zx_vmo_read/_write would.
 */
class VmoHeapTransferTest {
  private static final int LENGTH = (int) (2 * Syscalls.BOUNCE_BYTES + 12345);

  /** A VMO size (a whole number of pages) that the range [1, 1 + SIZE) overruns by one byte. */
  private static final int SIZE = (int) Syscalls.roundUpToPage(LENGTH);

  private static byte[] pattern(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + seed + i / 4096);
    }
    return bytes;
  }

  @Test
  void aHeapWriteAndReadOfSeveralPiecesRoundTripEveryByte() {
    byte[] data = pattern(LENGTH, 7);
    try (Vmo vmo = Vmo.create(LENGTH + 100)) {
      vmo.write(data, 100);
      byte[] back = new byte[LENGTH];
      vmo.read(back, 100);
      assertThat(Arrays.mismatch(back, data)).as("first differing byte").isEqualTo(-1);
      byte[] head = new byte[100];
      vmo.read(head, 0);
      assertThat(head).as("bytes before the write").containsOnly(0);
    }
  }

  @Test
  void aHeapWriteEndingPastTheVmoWritesNothing() {
    try (Vmo vmo = Vmo.create(SIZE)) {
      assertThatThrownBy(() -> vmo.write(pattern(SIZE, 3), 1))
          .isInstanceOfSatisfying(
              ZxException.class, e -> assertThat(e.status()).isEqualTo(ZxStatus.ERR_OUT_OF_RANGE));
      byte[] now = new byte[SIZE];
      vmo.read(now, 0);
      assertThat(now).as("the VMO after the failed write").containsOnly(0);
    }
  }

  @Test
  void aHeapReadEndingPastTheVmoLeavesTheArrayAlone() {
    try (Vmo vmo = Vmo.create(SIZE)) {
      vmo.write(pattern(SIZE, 5), 0);
      byte[] into = new byte[SIZE];
      Arrays.fill(into, (byte) 0x5a);
      assertThatThrownBy(() -> vmo.read(into, 1))
          .isInstanceOfSatisfying(
              ZxException.class, e -> assertThat(e.status()).isEqualTo(ZxStatus.ERR_OUT_OF_RANGE));
      assertThat(into).as("the array after the failed read").containsOnly((byte) 0x5a);
    }
  }

  @Test
  void anEmptyHeapReadAndWriteSucceed() {
    try (Vmo vmo = Vmo.create(4096)) {
      vmo.write(new byte[0], 4096);
      vmo.read(new byte[0], 4096);
    }
  }
}
