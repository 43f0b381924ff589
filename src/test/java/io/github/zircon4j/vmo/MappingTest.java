package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The writable {@link Mapping}: the Rust original's tests, and the guarantees it shares with {@link
 * ImmutableMapping} (lifetimes, confinement, errors). "Both paging modes" here are {@code allocate}
 * (pages mapped at once, {@code ZX_VM_MAP_RANGE}) and {@code create} (on first touch).
 */
class MappingTest {
  private static final byte[] HELLO = "Hello world".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] GOODBYE = "Goodbye world".getBytes(StandardCharsets.US_ASCII);

  private static long pageSize() {
    return Syscalls.PAGE_SIZE;
  }

  /** A mapping of a fresh VMO of {@code size} bytes, by allocate or by create (see the class). */
  private record Subject(Mapping mapping, Vmo vmo, boolean owned) implements AutoCloseable {
    static Subject of(boolean allocated, long size) {
      if (allocated) {
        Mapping mapping = Mapping.allocate(size);
        return new Subject(mapping, mapping.vmo(), true);
      }
      Vmo vmo = Vmo.create(size);
      return new Subject(Mapping.create(vmo, 0, size), vmo, false);
    }

    @Override
    public void close() {
      mapping.close();
      if (!owned) {
        vmo.close();
      }
    }
  }

  // ---- The Rust original's tests --------------------------------------------------------------

  @Test
  void allocateMapsTheRequestedSize() {
    try (Mapping mapping = Mapping.allocate(pageSize())) {
      assertThat(mapping.size()).isEqualTo(pageSize());
      assertThat(mapping.vmo().size()).isEqualTo(pageSize());
    }
  }

  @Test
  void createFromAResizableVmoFailsNotSupportedAtMapVmo() {
    try (Vmo vmo = Vmo.create(pageSize(), VmoOption.RESIZABLE)) {
      assertThatThrownBy(() -> Mapping.create(vmo, 0, pageSize()))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_NOT_SUPPORTED);
                assertThat(e.step()).isEqualTo(ZxException.Step.MAP_VMO);
              })
          .hasMessageStartingWith("failed to map VMO: ZX_ERR_NOT_SUPPORTED (-2)");
      assertThat(vmo.info().numMappings()).as("nothing mapped").isZero();
    }
    try (Vmo vmo = Vmo.create(pageSize());
        Mapping mapping = Mapping.create(vmo, 0, pageSize())) {
      assertThat(mapping.size()).isEqualTo(pageSize());
    }
  }

  @ParameterizedTest(name = "allocated={0}")
  @ValueSource(booleans = {true, false})
  void writesShowBothWaysBetweenVmoAndMapping(boolean allocated) {
    try (Subject subject = Subject.of(allocated, pageSize())) {
      subject.vmo().write(HELLO, 0);
      assertThat(subject.mapping().segment().asSlice(0, HELLO.length).toArray(JAVA_BYTE))
          .isEqualTo(HELLO);

      MemorySegment.copy(
          MemorySegment.ofArray(GOODBYE), 0, subject.mapping().segment(), 0, GOODBYE.length);
      byte[] read = new byte[GOODBYE.length];
      subject.vmo().read(read, 0);
      assertThat(read).isEqualTo(GOODBYE);
    }
  }

  // ---- Snapshots of a VMO that a Mapping writes -----------------------------------------------

  @ParameterizedTest(name = "allocated={0}, immediatelyPage={1}")
  @org.junit.jupiter.params.provider.CsvSource({
    "true,true",
    "true,false",
    "false,true",
    "false,false"
  })
  void snapshotTakenWhileAMappingWritesShowsTheBytesAsTheyWere(
      boolean allocated, boolean immediatelyPage) {
    long size = 3 * pageSize();
    try (Subject subject = Subject.of(allocated, size)) {
      MemorySegment writer = subject.mapping().segment();
      writer.fill((byte) 1);
      try (ImmutableMapping snapshot =
          ImmutableMapping.create(subject.vmo(), Paging.of(immediatelyPage))) {
        writer.fill((byte) 2);
        writer.set(JAVA_BYTE, pageSize() + 5, (byte) 3);
        byte[] expected = new byte[(int) size];
        Arrays.fill(expected, (byte) 1);
        assertThat(snapshot.segment().toArray(JAVA_BYTE)).isEqualTo(expected);
        byte[] now = new byte[1];
        subject.vmo().read(now, pageSize() + 5);
        assertThat(now[0]).as("the writer's bytes reach the VMO").isEqualTo((byte) 3);
        assertThat(writer.get(JAVA_BYTE, 0)).as("and stay in its own view").isEqualTo((byte) 2);
      }
    }
  }

  @Test
  void eachSnapshotShowsTheWritesBeforeIt() {
    try (Mapping writer = Mapping.allocate(pageSize());
        ImmutableMapping first = snapshotAfterWriting(writer, (byte) 10);
        ImmutableMapping second = snapshotAfterWriting(writer, (byte) 20)) {
      writer.segment().set(JAVA_BYTE, 0, (byte) 30);
      assertThat(first.segment().get(JAVA_BYTE, 0)).isEqualTo((byte) 10);
      assertThat(second.segment().get(JAVA_BYTE, 0)).isEqualTo((byte) 20);
      assertThat(writer.segment().get(JAVA_BYTE, 0)).isEqualTo((byte) 30);
    }
  }

  private static ImmutableMapping snapshotAfterWriting(Mapping writer, byte value) {
    writer.segment().set(JAVA_BYTE, 0, value);
    return ImmutableMapping.create(writer.vmo());
  }

  // ---- Views ----------------------------------------------------------------------------------

  @ParameterizedTest(name = "allocated={0}")
  @ValueSource(booleans = {true, false})
  void segmentAndBuffersAreWritable(boolean allocated) {
    try (Subject subject = Subject.of(allocated, pageSize())) {
      Mapping mapping = subject.mapping();
      assertThat(mapping.segment().isReadOnly()).isFalse();
      ByteBuffer buffer = mapping.asByteBuffer();
      assertThat(buffer.isReadOnly()).isFalse();
      assertThat(buffer.capacity()).isEqualTo(pageSize());
      buffer.put(0, (byte) 7);
      ByteBuffer window = mapping.asByteBuffer(100, 4);
      assertThat(window.isReadOnly()).isFalse();
      window.putInt(0, 0x01020304);
      byte[] read = new byte[4];
      subject.vmo().read(read, 100);
      assertThat(read).containsExactly(1, 2, 3, 4);
      assertThat(mapping.segment().get(JAVA_BYTE, 0)).isEqualTo((byte) 7);
      assertThatThrownBy(() -> mapping.asByteBuffer(pageSize() - 1, 2))
          .isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessageContaining("window [offset " + (pageSize() - 1) + ", length 2]");
    }
  }

  @Test
  void allocateOfAnUnalignedSizeIsExactlyThatSize() {
    try (Mapping mapping = Mapping.allocate(100)) {
      assertThat(mapping.size()).isEqualTo(100);
      assertThat(mapping.vmo().size()).isEqualTo(pageSize());
      assertThatThrownBy(() -> mapping.segment().get(JAVA_BYTE, 100))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void rangeMapsExactlyTheRequestedBytesOfTheVmo() {
    long page = pageSize();
    try (Vmo vmo = Vmo.create(3 * page);
        Mapping mapping = Mapping.create(vmo, page, 10)) {
      assertThat(mapping.size()).isEqualTo(10);
      mapping.segment().set(JAVA_BYTE, 9, (byte) 42);
      byte[] read = new byte[1];
      vmo.read(read, page + 9);
      assertThat(read[0]).isEqualTo((byte) 42);
      assertThatThrownBy(() -> mapping.segment().get(JAVA_BYTE, 10))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void emptyMappingsMapNothing() {
    try (Mapping allocated = Mapping.allocate(0)) {
      assertThat(allocated.size()).isZero();
      assertThat(allocated.asByteBuffer().remaining()).isZero();
      assertThat(allocated.vmo().info().numMappings()).isZero();
    }
    try (Vmo vmo = Vmo.create(pageSize());
        Mapping empty = Mapping.create(vmo, pageSize(), 0)) {
      assertThat(empty.segment().byteSize()).isZero();
      assertThat(vmo.info().numMappings()).isZero();
    }
  }

  @Test
  void byteBufferOfAMappingOver2GiBPointsToTheWindowedVariant() {
    long size = (1L << 31) + pageSize(); // mapped lazily: only the touched page is faulted in
    try (Vmo vmo = Vmo.create(size);
        Mapping mapping = Mapping.create(vmo, 0, size)) {
      assertThatThrownBy(mapping::asByteBuffer)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("asByteBuffer(long offset, int length)");
      ByteBuffer window = mapping.asByteBuffer(size - pageSize(), HELLO.length);
      window.put(HELLO);
      byte[] read = new byte[HELLO.length];
      vmo.read(read, size - pageSize());
      assertThat(read).isEqualTo(HELLO);
    }
  }

  // ---- Ownership and lifetimes ----------------------------------------------------------------

  @Test
  void allocatedVmoIsClosedWithTheMapping() {
    Mapping mapping = Mapping.allocate(pageSize());
    Vmo vmo = mapping.vmo();
    mapping.close();
    assertThat(vmo.isClosed()).isTrue();
    assertThat(mapping.isClosed()).isTrue();
    assertThatThrownBy(mapping::vmo)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("mapping is closed");
  }

  @Test
  void createdMappingBorrowsItsVmoAndOutlivesItsHandle() {
    Vmo vmo = Vmo.create(pageSize());
    try (Mapping mapping = Mapping.create(vmo, 0, pageSize())) {
      assertThatThrownBy(mapping::vmo)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("borrows its VMO");
      try (ImmutableMapping probe = ImmutableMapping.create(vmo)) {
        vmo.close();
        mapping.segment().set(JAVA_BYTE, 0, (byte) 5);
        assertThat(mapping.segment().get(JAVA_BYTE, 0)).isEqualTo((byte) 5);
        assertThat(probe.segment().get(JAVA_BYTE, 0)).as("snapshot from before").isZero();
      }
    }
    assertThat(vmo.isClosed()).isTrue();
  }

  @ParameterizedTest(name = "allocated={0}")
  @ValueSource(booleans = {true, false})
  void everyAccessAfterCloseThrowsIllegalStateAndCloseIsIdempotent(boolean allocated) {
    Vmo vmo;
    Mapping mapping;
    try (Subject subject = Subject.of(allocated, pageSize())) {
      vmo = subject.vmo();
      mapping = subject.mapping();
      MemorySegment segment = mapping.segment();
      ByteBuffer buffer = mapping.asByteBuffer();
      assertThat(vmo.info().numMappings()).isEqualTo(1);
      mapping.close();
      mapping.close();
      assertThat(mapping.isClosed()).isTrue();
      assertThatThrownBy(() -> segment.set(JAVA_BYTE, 0, (byte) 1))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> buffer.put(0, (byte) 1)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(mapping::segment)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("mapping is closed");
      assertThatThrownBy(mapping::asByteBuffer).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> mapping.asByteBuffer(0, 1))
          .isInstanceOf(IllegalStateException.class);
      if (!allocated) {
        assertThat(vmo.info().numMappings()).as("unmapped").isZero();
      }
    }
    assertThat(mapping.toString()).endsWith(", closed]");
  }

  @Test
  void confinedMappingRejectsOtherThreadsAndStaysUsable() throws Exception {
    try (Mapping mapping = Mapping.allocate(pageSize())) {
      MemorySegment segment = mapping.segment();
      AtomicReference<Throwable> write = new AtomicReference<>();
      AtomicReference<Throwable> segmentCall = new AtomicReference<>();
      AtomicReference<Throwable> close = new AtomicReference<>();
      Thread other =
          Thread.ofPlatform()
              .start(
                  () -> {
                    write.set(catching(() -> segment.set(JAVA_BYTE, 0, (byte) 1)));
                    segmentCall.set(catching(mapping::segment));
                    close.set(catching(mapping::close));
                  });
      other.join();
      assertThat(write.get()).isInstanceOf(WrongThreadException.class);
      assertThat(segmentCall.get()).isInstanceOf(WrongThreadException.class);
      assertThat(close.get()).isInstanceOf(WrongThreadException.class);
      assertThat(mapping.isClosed()).isFalse();
      assertThat(mapping.vmo().isClosed()).as("a refused close keeps the VMO").isFalse();
      segment.set(JAVA_BYTE, 0, (byte) 2);
      assertThat(segment.get(JAVA_BYTE, 0)).isEqualTo((byte) 2);
    }
  }

  @Test
  void arenaOwnedMappingIsWritableSharedAndUnmappedWithTheArena() throws Exception {
    try (Vmo vmo = Vmo.create(2 * pageSize())) {
      MemorySegment segment;
      try (Arena arena = Arena.ofShared()) {
        segment = Mapping.map(vmo, pageSize(), pageSize(), arena);
        assertThat(segment.isReadOnly()).isFalse();
        assertThat(segment.byteSize()).isEqualTo(pageSize());
        MemorySegment view = segment;
        Thread other = Thread.ofPlatform().start(() -> view.set(JAVA_BYTE, 3, (byte) 9));
        other.join();
        byte[] read = new byte[1];
        vmo.read(read, pageSize() + 3);
        assertThat(read[0]).isEqualTo((byte) 9);
        assertThat(vmo.info().numMappings()).isEqualTo(1);
      }
      assertThat(vmo.info().numMappings()).isZero();
      assertThatThrownBy(() -> segment.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void mapIntoAClosedOrForeignArenaFailsBeforeAnySyscall() throws Exception {
    try (Vmo vmo = Vmo.create(pageSize())) {
      Arena closed = Arena.ofConfined();
      closed.close();
      assertThatThrownBy(() -> Mapping.map(vmo, 0, pageSize(), closed))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("arena is closed");
      try (Arena foreign = Arena.ofConfined()) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other =
            Thread.ofPlatform()
                .start(() -> failure.set(catching(() -> Mapping.map(vmo, 0, pageSize(), foreign))));
        other.join();
        assertThat(failure.get()).isInstanceOf(WrongThreadException.class);
      }
      assertThat(vmo.info().numMappings()).isZero();
    }
  }

  // ---- Errors: status, step, and nothing left behind ------------------------------------------

  @ParameterizedTest(name = "without right {0}")
  @ValueSource(strings = {"READ", "WRITE", "MAP"})
  void missingReadWriteOrMapRightFailsAccessDeniedAtMapVmo(String missing) throws Exception {
    ZxRights missingRight = (ZxRights) ZxRights.class.getField(missing).get(null);
    try (Vmo vmo = Vmo.create(pageSize());
        Vmo restricted = vmo.duplicate(ZxRights.DEFAULT_VMO.without(missingRight))) {
      assertThatThrownBy(() -> Mapping.create(restricted, 0, pageSize()))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
                assertThat(e.step()).isEqualTo(ZxException.Step.MAP_VMO);
              });
      try (Arena arena = Arena.ofConfined()) {
        assertThatThrownBy(() -> Mapping.map(restricted, 0, pageSize(), arena))
            .isInstanceOf(ZxException.class)
            .hasMessageStartingWith("failed to map VMO: ZX_ERR_ACCESS_DENIED (-30)");
      }
      assertThat(vmo.info().numMappings()).isZero();
    }
  }

  @Test
  void badHandleFailsAtGetVmoSize() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      Vmo stale = Vmo.adopt(vmo.duplicate().release());
      assertThat(Syscalls.handleClose(stale.handle())).isEqualTo(ZxStatus.OK);
      assertThatThrownBy(() -> Mapping.create(stale, 0, pageSize()))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_BAD_HANDLE);
                assertThat(e.step()).isEqualTo(ZxException.Step.GET_VMO_SIZE);
              });
      stale.release(); // already closed behind its back
    }
  }

  @Test
  void allocateOfAHugeSizeFailsAtCreateVmoAndLeavesNothing() {
    assertThatThrownBy(() -> Mapping.allocate(1L << 62))
        .isInstanceOfSatisfying(
            ZxException.class,
            e -> {
              assertThat(e.status()).isEqualTo(ZxStatus.ERR_OUT_OF_RANGE);
              assertThat(e.step()).isEqualTo(ZxException.Step.CREATE_VMO);
            });
  }

  @Test
  void badRangesAreRejectedWithTheirValuesBeforeMapping() {
    long page = pageSize();
    try (Vmo vmo = Vmo.create(2 * page)) {
      assertThatThrownBy(() -> Mapping.create(vmo, 1, 10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset must be a multiple of the page size")
          .hasMessageContaining("but is 1");
      assertThatThrownBy(() -> Mapping.create(vmo, page, 2 * page))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("length " + 2 * page)
          .hasMessageContaining("VMO's size " + 2 * page);
      assertThatThrownBy(() -> Mapping.create(vmo, page, Long.MAX_VALUE))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Mapping.create(vmo, -page, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("offset must be >= 0, but is " + -page);
      assertThatThrownBy(() -> Mapping.create(vmo, 0, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("length must be >= 0, but is -1");
      assertThatThrownBy(() -> Mapping.allocate(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("size must be >= 0, but is -1");
      assertThat(vmo.info().numMappings()).isZero();
    }
  }

  @Test
  void nullArgumentsAndClosedVmosAreNamed() {
    assertThatThrownBy(() -> Mapping.create(null, 0, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("vmo");
    Vmo closed = Vmo.create(pageSize());
    closed.close();
    assertThatThrownBy(() -> Mapping.create(closed, 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Vmo is closed");
    try (Vmo vmo = Vmo.create(pageSize())) {
      assertThatThrownBy(() -> Mapping.map(vmo, 0, 1, null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("arena");
    }
  }

  @Test
  void toStringShowsSizeAddressAndState() {
    try (Mapping mapping = Mapping.allocate(pageSize())) {
      assertThat(mapping.toString())
          .isEqualTo(
              "Mapping[size="
                  + pageSize()
                  + ", address=0x"
                  + Long.toHexString(mapping.segment().address())
                  + ", open]");
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
