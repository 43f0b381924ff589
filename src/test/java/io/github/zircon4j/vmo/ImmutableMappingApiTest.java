package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ImmutableMapping}'s newer API: {@code prefetch}, {@code isClosed}, the range variants of
 * {@code createShared} and {@code map}, and {@code toString}.
 */
class ImmutableMappingApiTest {
  private static final Path PAGEMAP = Path.of("/proc/self/pagemap");

  private static long pageSize() {
    return Syscalls.PAGE_SIZE;
  }

  /** A VMO of {@code pages} pages, every page written (so a snapshot has pages to map). */
  private static Vmo writtenVmo(int pages) {
    Vmo vmo = Vmo.create(pages * pageSize());
    byte[] bytes = new byte[(int) (pages * pageSize())];
    Arrays.fill(bytes, (byte) 0x5a);
    vmo.write(bytes, 0);
    return vmo;
  }

  /**
   * Bytes of {@code [address, address + length)} (page-aligned) that have page-table entries now:
   * the pages whose /proc/self/pagemap entry has the "present" bit (63).
   */
  private static long residentBytes(long address, long length) throws IOException {
    long resident = 0;
    try (FileChannel pagemap = FileChannel.open(PAGEMAP, StandardOpenOption.READ)) {
      ByteBuffer entry = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
      for (long page = address; page < address + length; page += pageSize()) {
        entry.clear();
        pagemap.read(entry, page / pageSize() * Long.BYTES);
        if (entry.getLong(0) < 0) { // bit 63: present
          resident += pageSize();
        }
      }
    }
    return resident;
  }

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void prefetchPopulatesTheWholeViewAsImmediatelyPageDoes(boolean immediatelyPage)
      throws IOException {
    assumeTrue(Files.isReadable(PAGEMAP), "needs /proc/self/pagemap to see page-table entries");
    long size = 4 * pageSize();
    try (Vmo vmo = writtenVmo(4);
        ImmutableMapping mapping = ImmutableMapping.create(vmo, Paging.of(immediatelyPage))) {
      long address = mapping.segment().address();
      assertThat(residentBytes(address, size)).isEqualTo(immediatelyPage ? size : 0);
      mapping.prefetch();
      assertThat(residentBytes(address, size)).isEqualTo(size);
      assertThat(mapping.segment().get(JAVA_BYTE, size - 1)).isEqualTo((byte) 0x5a);
      assertThat(vmo.info().committedBytes()).as("prefetch commits nothing new").isEqualTo(size);
    }
  }

  @Test
  void prefetchOfARangePopulatesThePagesUnderIt() throws IOException {
    assumeTrue(Files.isReadable(PAGEMAP), "needs /proc/self/pagemap to see page-table entries");
    long page = pageSize();
    // Linux maps up to 16 neighbouring pages of a file-backed read fault ("fault-around"), so the
    // pages checked as untouched are far from the prefetched ones.
    try (Vmo vmo = writtenVmo(64);
        ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
      long address = mapping.segment().address();
      mapping.prefetch(40 * page + 1, 1);
      assertThat(residentBytes(address + 40 * page, page)).isEqualTo(page);
      mapping.prefetch(20 * page + 10, page); // crosses into page 21
      assertThat(residentBytes(address + 20 * page, 2 * page)).isEqualTo(2 * page);
      mapping.prefetch(0, 0); // nothing
      assertThat(residentBytes(address, page)).as("page 0: never prefetched").isZero();
      assertThat(residentBytes(address + 63 * page, page)).as("page 63").isZero();
    }
  }

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void prefetchOfARangeViewStaysInsideIt(boolean immediatelyPage) {
    long page = pageSize();
    try (Vmo vmo = writtenVmo(3);
        ImmutableMapping mapping =
            ImmutableMapping.create(vmo, page, 10, Paging.of(immediatelyPage))) {
      mapping.prefetch();
      mapping.prefetch(9, 1);
      assertThat(mapping.segment().get(JAVA_BYTE, 9)).isEqualTo((byte) 0x5a);
    }
  }

  @Test
  void prefetchOfAnEmptyMappingDoesNothing() {
    try (Vmo vmo = Vmo.create(0);
        ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
      mapping.prefetch();
      mapping.prefetch(0, 0);
    }
  }

  @Test
  void prefetchOutsideTheViewIsRejectedWithItsValues() {
    long page = pageSize();
    try (Vmo vmo = writtenVmo(2);
        ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
      assertThatThrownBy(() -> mapping.prefetch(page, page + 1))
          .isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessage(
              "prefetch range [offset "
                  + page
                  + ", length "
                  + (page + 1)
                  + "] is outside mapping of "
                  + 2 * page
                  + " bytes");
      assertThatThrownBy(() -> mapping.prefetch(-1, 1))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> mapping.prefetch(0, -1))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> mapping.prefetch(1, Long.MAX_VALUE))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void prefetchAfterCloseOrFromAnotherThreadThrows() throws Exception {
    try (Vmo vmo = writtenVmo(1)) {
      ImmutableMapping mapping = ImmutableMapping.create(vmo);
      AtomicReference<Throwable> other = new AtomicReference<>();
      Thread thread = Thread.ofPlatform().start(() -> other.set(catching(mapping::prefetch)));
      thread.join();
      assertThat(other.get()).isInstanceOf(WrongThreadException.class);
      mapping.close();
      assertThatThrownBy(mapping::prefetch)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("mapping is closed");
      assertThatThrownBy(() -> mapping.prefetch(0, 1)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void isClosedFollowsCloseFromAnyThreadOfASharedMapping() throws Exception {
    try (Vmo vmo = writtenVmo(1)) {
      ImmutableMapping mapping = ImmutableMapping.create(vmo, MapOption.SHARED);
      assertThat(mapping.isClosed()).isFalse();
      Thread closer = Thread.ofPlatform().start(mapping::close);
      closer.join();
      assertThat(mapping.isClosed()).isTrue();
      ImmutableMapping confined = ImmutableMapping.create(vmo);
      confined.close();
      assertThat(confined.isClosed()).isTrue();
    }
  }

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void sharedRangeMappingIsReadableAndClosableByAnotherThread(boolean immediatelyPage)
      throws Exception {
    long page = pageSize();
    try (Vmo vmo = writtenVmo(3)) {
      vmo.write(new byte[] {1, 2, 3}, page);
      ImmutableMapping mapping =
          ImmutableMapping.create(vmo, page, 3, Paging.shared(immediatelyPage));
      assertThat(mapping.size()).isEqualTo(3);
      AtomicReference<byte[]> read = new AtomicReference<>();
      Thread reader =
          Thread.ofPlatform().start(() -> read.set(mapping.segment().toArray(JAVA_BYTE)));
      reader.join();
      assertThat(read.get()).containsExactly(1, 2, 3);
      Thread closer = Thread.ofPlatform().start(mapping::close);
      closer.join();
      assertThat(mapping.isClosed()).isTrue();
      assertThat(vmo.info().numChildren()).isZero();
    }
  }

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void arenaOwnedRangeIsExactlyTheRangeAndDiesWithTheArena(boolean immediatelyPage) {
    long page = pageSize();
    try (Vmo vmo = writtenVmo(3)) {
      vmo.write(new byte[] {4, 5}, 2 * page);
      MemorySegment segment;
      try (Arena arena = Arena.ofConfined()) {
        segment = ImmutableMapping.map(vmo, 2 * page, 2, arena, Paging.of(immediatelyPage));
        assertThat(segment.isReadOnly()).isTrue();
        assertThat(segment.toArray(JAVA_BYTE)).containsExactly(4, 5);
        vmo.write(new byte[] {9, 9}, 2 * page);
        assertThat(segment.toArray(JAVA_BYTE)).as("a snapshot").containsExactly(4, 5);
        assertThat(vmo.info().numChildren()).isEqualTo(1);
      }
      assertThat(vmo.info().numChildren()).isZero();
      assertThatThrownBy(() -> segment.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void rangeVariantsRejectBadRangesAndArenasBeforeAnySyscall() {
    long page = pageSize();
    try (Vmo vmo = writtenVmo(2)) {
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, 1, 1, MapOption.SHARED))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset must be a multiple of the page size");
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, 0, -1, MapOption.SHARED))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("length must be >= 0, but is -1");
      try (Arena arena = Arena.ofConfined()) {
        assertThatThrownBy(() -> ImmutableMapping.map(vmo, page, 2 * page, arena))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("VMO's size " + 2 * page);
        assertThatThrownBy(() -> ImmutableMapping.map(vmo, -page, 1, arena))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("offset must be >= 0, but is " + -page);
      }
      Arena closed = Arena.ofConfined();
      closed.close();
      assertThatThrownBy(() -> ImmutableMapping.map(vmo, 0, 1, closed))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("arena is closed");
      assertThat(vmo.info().numChildren()).isZero();
    }
  }

  @Test
  void rangeVariantsReportFailedStepsAndLeaveNoChild() {
    try (Vmo vmo = writtenVmo(1);
        Vmo unmappable = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.MAP))) {
      assertThatThrownBy(
              () ->
                  ImmutableMapping.create(
                      unmappable, 0, 1, MapOption.SHARED, MapOption.PAGE_IMMEDIATELY))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
                assertThat(e.step()).isEqualTo(ZxException.Step.MAP_CHILD_VMO);
              });
      try (Arena arena = Arena.ofShared()) {
        assertThatThrownBy(() -> ImmutableMapping.map(unmappable, 0, 1, arena))
            .isInstanceOfSatisfying(
                ZxException.class,
                e -> assertThat(e.step()).isEqualTo(ZxException.Step.MAP_CHILD_VMO));
      }
      assertThat(vmo.info().numChildren()).isZero();
    }
  }

  @Test
  void mappingNeedsDuplicateReadAndMapAsDocumented() {
    try (Vmo vmo = writtenVmo(1);
        Vmo minimal = vmo.duplicate(ZxRights.DUPLICATE.and(ZxRights.READ).and(ZxRights.MAP));
        ImmutableMapping mapping = ImmutableMapping.create(minimal)) {
      assertThat(mapping.segment().get(JAVA_BYTE, 0)).isEqualTo((byte) 0x5a);
    }
    try (Vmo vmo = writtenVmo(1);
        Vmo noMap = vmo.duplicate(ZxRights.DUPLICATE.and(ZxRights.READ))) {
      assertThatThrownBy(() -> ImmutableMapping.create(noMap))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
                assertThat(e.step()).isEqualTo(ZxException.Step.MAP_CHILD_VMO);
              });
    }
  }

  @Test
  void toStringShowsSizeAddressAndStateFromAnyThread() throws Exception {
    try (Vmo vmo = writtenVmo(1)) {
      ImmutableMapping mapping = ImmutableMapping.create(vmo);
      String open =
          "ImmutableMapping[size="
              + pageSize()
              + ", address=0x"
              + Long.toHexString(mapping.segment().address());
      assertThat(mapping.toString()).isEqualTo(open + ", open]");
      AtomicReference<String> fromOther = new AtomicReference<>();
      Thread other = Thread.ofPlatform().start(() -> fromOther.set(mapping.toString()));
      other.join();
      assertThat(fromOther.get()).isEqualTo(open + ", open]");
      mapping.close();
      assertThat(mapping.toString()).isEqualTo(open + ", closed]");
    }
  }

  private static Throwable catching(Runnable action) {
    try {
      action.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
