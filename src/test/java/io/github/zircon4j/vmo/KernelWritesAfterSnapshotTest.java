package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores the kernel makes on the caller's behalf ({@code read(2)} of a file or a pipe into a
 * writable {@link Mapping}) after a snapshot of the VMO was taken land in the VMO, and the snapshot
 * keeps the old bytes, as on zircon. On the host emulation this holds in both copy-on-write modes:
 * the library uses userfaultfd write protection only where the kernel resolves its own stores too
 * (a full userfaultfd, root here), else the eager copy (an ordinary user: .ci/run runs this as
 * {@code nobody}).
 */
class KernelWritesAfterSnapshotTest {
  private static final byte OLD = 'A';
  private static final byte NEW = 'B';

  @BeforeAll
  static void reportTheMode() {
    System.out.println(
        "copy-on-write mode of the host emulation: "
            + HostEmulation.cowMode().map(Enum::name).orElse("(not the host emulation)"));
  }

  private static long pageSize() {
    return Syscalls.PAGE_SIZE;
  }

  private static byte[] filled(int length, byte value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, value);
    return bytes;
  }

  /** Two pages of OLD, written through `writer`; the file or pipe then delivers `length` NEWs. */
  private static void checkAfterRead(Vmo vmo, ImmutableMapping snapshot, int length) {
    int size = (int) vmo.size();
    byte[] now = new byte[size];
    vmo.read(now, 0);
    byte[] expected = filled(size, OLD);
    Arrays.fill(expected, 0, length, NEW);
    assertThat(now).as("the VMO after the kernel's stores").isEqualTo(expected);
    byte[] kept = new byte[size];
    snapshot.segment().asByteBuffer().get(kept);
    assertThat(kept).as("the snapshot taken before them").isEqualTo(filled(size, OLD));
  }

  @Test
  void fileChannelReadIntoAMappingAfterASnapshotLandsInTheVmoAndNotInTheSnapshot(@TempDir Path dir)
      throws IOException {
    int length = (int) pageSize() + 100; // a whole page and part of the next
    Path file = Files.write(dir.resolve("new-bytes"), filled(length, NEW));
    try (Vmo vmo = Vmo.create(2 * pageSize());
        Mapping writer = Mapping.create(vmo, 0, vmo.size())) {
      writer.asByteBuffer().put(filled((int) vmo.size(), OLD));
      try (ImmutableMapping snapshot = ImmutableMapping.create(vmo);
          FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer into = writer.asByteBuffer();
        int read = channel.read(into, 0);
        assertThat(read).as("bytes read(2) stored into the mapping").isEqualTo(length);
        checkAfterRead(vmo, snapshot, length);
      }
    }
  }

  @Test
  void pipeReadIntoAMappingAfterASnapshotLandsInTheVmoAndNotInTheSnapshot() throws IOException {
    int length = 64;
    try (Vmo vmo = Vmo.create(2 * pageSize());
        Mapping writer = Mapping.create(vmo, 0, vmo.size())) {
      writer.asByteBuffer().put(filled((int) vmo.size(), OLD));
      Pipe pipe = Pipe.open();
      try (ImmutableMapping snapshot = ImmutableMapping.create(vmo);
          Pipe.SinkChannel sink = pipe.sink();
          Pipe.SourceChannel source = pipe.source()) {
        assertThat(sink.write(ByteBuffer.wrap(filled(length, NEW)))).isEqualTo(length);
        int read = source.read(writer.asByteBuffer(0, length));
        assertThat(read).as("bytes read(2) stored into the mapping").isEqualTo(length);
        checkAfterRead(vmo, snapshot, length);
      }
    }
  }
}
