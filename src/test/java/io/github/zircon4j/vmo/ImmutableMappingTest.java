package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Rust original's tests, plus the Java-specific guarantees: safety, lifetimes, errors. */
class ImmutableMappingTest {
  private static final byte[] CONTENT = "content".getBytes(StandardCharsets.US_ASCII);

  private static long pageSize() {
    return Syscalls.PAGE_SIZE;
  }

  /** Polls ZX_VMO_ZERO_CHILDREN without blocking, as the original's drop_cleans_up does. */
  private static boolean hasZeroChildren(Vmo vmo) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment observed = arena.allocate(ValueLayout.JAVA_INT);
      int status =
          Zircon.zx_object_wait_one(
              vmo.handle(),
              Zircon.ZX_VMO_ZERO_CHILDREN(),
              Zircon.ZX_TIME_INFINITE_PAST(),
              observed);
      assertThat(status).isIn(Zircon.ZX_OK(), Zircon.ZX_ERR_TIMED_OUT());
      return status == Zircon.ZX_OK();
    }
  }

  // ---- The Rust original's tests, in both paging modes --------------------------------------

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void readShowsThePageRoundedContents(boolean immediatelyPage) {
    try (Vmo vmo = Vmo.create(1)) {
      vmo.write(CONTENT, 0);
      try (ImmutableMapping mapping = ImmutableMapping.create(vmo, Paging.of(immediatelyPage))) {
        byte[] expected = new byte[(int) pageSize()];
        System.arraycopy(CONTENT, 0, expected, 0, CONTENT.length);
        assertThat(mapping.size()).isEqualTo(pageSize());
        assertThat(mapping.segment().toArray(JAVA_BYTE)).isEqualTo(expected);
      }
    }
  }

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void dropCleansUpTheSnapshotChild(boolean immediatelyPage) {
    try (Vmo vmo = Vmo.create(7)) {
      assertThat(hasZeroChildren(vmo)).as("before mapping").isTrue();
      ImmutableMapping mapping = ImmutableMapping.create(vmo, Paging.of(immediatelyPage));
      assertThat(hasZeroChildren(vmo)).as("while mapped: the mapping keeps the child").isFalse();
      mapping.close();
      assertThat(hasZeroChildren(vmo)).as("after close").isTrue();
    }
  }

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void emptyVmoGivesAnEmptyMapping(boolean immediatelyPage) {
    try (Vmo vmo = Vmo.create(0);
        ImmutableMapping mapping = ImmutableMapping.create(vmo, Paging.of(immediatelyPage))) {
      assertThat(mapping.size()).isZero();
      assertThat(mapping.segment().byteSize()).isZero();
      assertThat(mapping.asByteBuffer().remaining()).isZero();
      assertThat(hasZeroChildren(vmo)).as("no child is made for an empty VMO").isTrue();
    }
  }

  // ---- Snapshot semantics --------------------------------------------------------------------

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void snapshotIgnoresLaterParentWrites(boolean immediatelyPage) {
    long size = 4 * pageSize();
    try (Vmo vmo = Vmo.create(size)) {
      byte[] before = new byte[(int) size];
      Arrays.fill(before, (byte) 1);
      vmo.write(before, 0);
      try (ImmutableMapping mapping = ImmutableMapping.create(vmo, Paging.of(immediatelyPage))) {
        byte[] after = new byte[(int) size];
        Arrays.fill(after, (byte) 2);
        vmo.write(after, 0);
        vmo.write(CONTENT, pageSize() + 3);
        assertThat(mapping.segment().toArray(JAVA_BYTE)).isEqualTo(before);
        assertThat(mapping.asByteBuffer().get((int) pageSize() + 3)).isEqualTo((byte) 1);
      }
      byte[] parent = new byte[CONTENT.length];
      vmo.read(parent, pageSize() + 3);
      assertThat(parent).as("the parent keeps its own writes").isEqualTo(CONTENT);
    }
  }

  @Test
  void viewsAreReadOnly() {
    try (Vmo vmo = Vmo.create(pageSize());
        ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
      assertThat(mapping.segment().isReadOnly()).isTrue();
      assertThatThrownBy(() -> mapping.segment().set(JAVA_BYTE, 0, (byte) 1))
          .isInstanceOf(IllegalArgumentException.class);
      ByteBuffer buffer = mapping.asByteBuffer();
      assertThat(buffer.isReadOnly()).isTrue();
      assertThatThrownBy(() -> buffer.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
    }
  }

  @Test
  void snapshotOfAResizableVmoIsMappable() {
    try (Vmo vmo = Vmo.create(pageSize(), VmoOption.RESIZABLE)) {
      vmo.write(CONTENT, 0);
      try (ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
        vmo.setSize(0);
        assertThat(mapping.segment().asSlice(0, CONTENT.length).toArray(JAVA_BYTE))
            .isEqualTo(CONTENT);
      }
    }
  }

  // ---- Lifetimes -----------------------------------------------------------------------------

  @Test
  void everyAccessAfterCloseThrowsIllegalState() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      ImmutableMapping mapping = ImmutableMapping.create(vmo, MapOption.PAGE_IMMEDIATELY);
      MemorySegment segment = mapping.segment();
      ByteBuffer buffer = mapping.asByteBuffer();
      ByteBuffer window = mapping.asByteBuffer(8, 16);
      mapping.close();
      assertThatThrownBy(() -> segment.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> segment.get(JAVA_LONG, 8)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> buffer.get(0)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> window.getLong()).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(mapping::segment)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThatThrownBy(mapping::asByteBuffer).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void closeIsIdempotent() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      ImmutableMapping mapping = ImmutableMapping.create(vmo);
      mapping.close();
      mapping.close();
      assertThat(hasZeroChildren(vmo)).isTrue();
    }
  }

  @Test
  void mappingOutlivesItsVmoHandle() {
    Vmo vmo = Vmo.create(pageSize());
    vmo.write(CONTENT, 0);
    try (ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
      vmo.close();
      assertThat(mapping.segment().asSlice(0, CONTENT.length).toArray(JAVA_BYTE))
          .isEqualTo(CONTENT);
    }
  }

  @Test
  void confinedMappingRejectsOtherThreadsAndStaysUsable() throws Exception {
    try (Vmo vmo = Vmo.create(pageSize())) {
      vmo.write(CONTENT, 0);
      try (ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
        MemorySegment segment = mapping.segment();
        AtomicReference<Throwable> read = new AtomicReference<>();
        AtomicReference<Throwable> segmentCall = new AtomicReference<>();
        AtomicReference<Throwable> close = new AtomicReference<>();
        Thread other =
            Thread.ofPlatform()
                .start(
                    () -> {
                      read.set(catching(() -> segment.get(JAVA_BYTE, 0)));
                      segmentCall.set(catching(mapping::segment));
                      close.set(catching(mapping::close));
                    });
        other.join();
        assertThat(read.get()).isInstanceOf(WrongThreadException.class);
        assertThat(segmentCall.get()).isInstanceOf(WrongThreadException.class);
        assertThat(close.get()).isInstanceOf(WrongThreadException.class);
        assertThat(segment.get(JAVA_BYTE, 0)).as("still mapped").isEqualTo(CONTENT[0]);
        assertThat(hasZeroChildren(vmo)).isFalse();
      }
    }
  }

  @Test
  void sharedMappingMayBeClosedByAnotherThread() throws Exception {
    try (Vmo vmo = Vmo.create(pageSize())) {
      vmo.write(CONTENT, 0);
      ImmutableMapping mapping = ImmutableMapping.create(vmo, MapOption.SHARED);
      MemorySegment segment = mapping.segment();
      Thread other = Thread.ofPlatform().start(() -> segment.get(JAVA_BYTE, 0));
      other.join();
      Thread closer = Thread.ofPlatform().start(mapping::close);
      closer.join();
      assertThatThrownBy(() -> segment.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
      assertThat(hasZeroChildren(vmo)).isTrue();
    }
  }

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void arenaOwnedMappingIsUnmappedWithTheArena(boolean immediatelyPage) {
    try (Vmo vmo = Vmo.create(2 * pageSize())) {
      vmo.write(CONTENT, pageSize());
      MemorySegment segment;
      try (Arena arena = Arena.ofConfined()) {
        segment = ImmutableMapping.map(vmo, 0, vmo.size(), arena, Paging.of(immediatelyPage));
        assertThat(segment.byteSize()).isEqualTo(2 * pageSize());
        assertThat(segment.isReadOnly()).isTrue();
        assertThat(segment.asSlice(pageSize(), CONTENT.length).toArray(JAVA_BYTE))
            .isEqualTo(CONTENT);
        assertThat(hasZeroChildren(vmo)).isFalse();
      }
      assertThat(hasZeroChildren(vmo)).isTrue();
      assertThatThrownBy(() -> segment.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void mapIntoAClosedArenaFailsBeforeAnySyscall() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      Arena arena = Arena.ofConfined();
      arena.close();
      assertThatThrownBy(() -> ImmutableMapping.map(vmo, 0, vmo.size(), arena))
          .isInstanceOf(IllegalStateException.class);
      assertThat(hasZeroChildren(vmo)).isTrue();
    }
  }

  // ---- Ranges --------------------------------------------------------------------------------

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void rangeViewIsExactlyTheRequestedBytes(boolean immediatelyPage) {
    long page = pageSize();
    try (Vmo vmo = Vmo.create(3 * page)) {
      vmo.write(CONTENT, page);
      vmo.write(new byte[] {9}, page + 10);
      try (ImmutableMapping mapping =
          ImmutableMapping.create(vmo, page, 10, Paging.of(immediatelyPage))) {
        assertThat(mapping.size()).isEqualTo(10);
        byte[] expected = Arrays.copyOf(CONTENT, 10);
        assertThat(mapping.segment().toArray(JAVA_BYTE)).isEqualTo(expected);
        assertThatThrownBy(() -> mapping.segment().get(JAVA_BYTE, 10))
            .isInstanceOf(IndexOutOfBoundsException.class);
      }
    }
  }

  @Test
  void rangeWithUnalignedOffsetIsRejected() {
    try (Vmo vmo = Vmo.create(2 * pageSize())) {
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, 1, 10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset must be a multiple of the page size")
          .hasMessageContaining("but is 1");
      assertThat(hasZeroChildren(vmo)).isTrue();
    }
  }

  @Test
  void rangeBeyondTheVmoNamesBothSizes() {
    long page = pageSize();
    try (Vmo vmo = Vmo.create(2 * page)) {
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, page, 2 * page))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("length " + 2 * page)
          .hasMessageContaining("VMO's size " + 2 * page);
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, page, Long.MAX_VALUE))
          .as("offset + length overflows")
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, -page, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset must be >= 0");
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, 0, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("length must be >= 0");
      assertThat(hasZeroChildren(vmo)).isTrue();
    }
  }

  @Test
  void byteBufferOfAMappingOver2GiBPointsToTheWindowedVariant() {
    long size = (1L << 31) + pageSize(); // lazily mapped: only the touched page is ever faulted in
    try (Vmo vmo = Vmo.create(size)) {
      vmo.write(CONTENT, size - pageSize());
      try (ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
        assertThatThrownBy(mapping::asByteBuffer)
            .isInstanceOf(UnsupportedOperationException.class)
            .hasMessageContaining("asByteBuffer(long offset, int length)");
        ByteBuffer window = mapping.asByteBuffer(size - pageSize(), CONTENT.length);
        byte[] read = new byte[CONTENT.length];
        window.get(read);
        assertThat(read).isEqualTo(CONTENT);
        assertThatThrownBy(() -> mapping.asByteBuffer(size - 1, 2))
            .isInstanceOf(IndexOutOfBoundsException.class);
      }
    }
  }

  // ---- Errors: status, step and no leaks ------------------------------------------------------

  @Test
  void closedVmoIsIllegalState() {
    Vmo vmo = Vmo.create(pageSize());
    vmo.close();
    assertThatThrownBy(() -> ImmutableMapping.create(vmo))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Vmo is closed");
  }

  @Test
  void badHandleFailsAtGetVmoSize() {
    try (Vmo vmo = Vmo.create(pageSize());
        Vmo duplicate = vmo.duplicate()) {
      // Close the handle behind the Vmo's back: the next syscall sees a stale handle.
      assertThat(Zircon.zx_handle_close(duplicate.handle())).isEqualTo(Zircon.ZX_OK());
      assertThatThrownBy(() -> ImmutableMapping.create(duplicate))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_BAD_HANDLE());
                assertThat(e.statusName()).isEqualTo("ZX_ERR_BAD_HANDLE");
                assertThat(e.step()).isEqualTo(ZxException.Step.GET_VMO_SIZE);
              })
          .hasMessageStartingWith("failed to get VMO size: ZX_ERR_BAD_HANDLE (-11)");
    }
  }

  @ParameterizedTest(name = "without right {0}")
  @ValueSource(ints = {1 /* ZX_RIGHT_DUPLICATE */, 4 /* ZX_RIGHT_READ */})
  void missingDuplicateOrReadRightFailsAtCreateChild(int missingRight) {
    try (Vmo vmo = Vmo.create(pageSize());
        Vmo restricted =
            vmo.duplicate(ZxRights.fromBits(Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~missingRight))) {
      assertThatThrownBy(() -> ImmutableMapping.create(restricted))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_ACCESS_DENIED());
                assertThat(e.step()).isEqualTo(ZxException.Step.CREATE_CHILD_VMO);
              })
          .hasMessageStartingWith("failed to create child VMO: ZX_ERR_ACCESS_DENIED (-30)");
      assertThat(hasZeroChildren(vmo)).as("no child left behind").isTrue();
    }
  }

  @Test
  void missingMapRightFailsAtMapAndClosesTheChild() {
    try (Vmo vmo = Vmo.create(pageSize());
        Vmo unmappable =
            vmo.duplicate(
                ZxRights.fromBits(Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_MAP()))) {
      assertThatThrownBy(() -> ImmutableMapping.create(unmappable, MapOption.PAGE_IMMEDIATELY))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_ACCESS_DENIED());
                assertThat(e.step()).isEqualTo(ZxException.Step.MAP_CHILD_VMO);
              })
          .hasMessageStartingWith("failed to map child VMO: ZX_ERR_ACCESS_DENIED (-30)");
      assertThat(hasZeroChildren(vmo)).as("the child was closed when the map failed").isTrue();
    }
  }

  @Test
  void nullArgumentsAreNamed() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      assertThatThrownBy(() -> ImmutableMapping.create(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("vmo");
      assertThatThrownBy(() -> ImmutableMapping.map(vmo, 0, vmo.size(), null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("arena");
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
