package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input through the public API: every bad argument gets an exception naming the argument and
 * its value (or, where zircon decides, a {@link ZxException} naming the step, status and values),
 * and leaves nothing allocated: the source VMO keeps {@code ZX_VMO_ZERO_CHILDREN} asserted and
 * {@code ZX_INFO_VMO} reports no children and no mappings.
 */
class BadInputTest {
  private static final long PAGE = Syscalls.PAGE_SIZE; // also loads the library

  /** A handle value zircon never issues here: the last slot of the table, generation 0. */
  private static final int NEVER_ISSUED = 0x003f_ffff;

  private static void assertNothingAllocated(Vmo vmo) {
    assertThat(ZxTestSupport.hasZeroChildren(vmo.handle()))
        .as("ZX_VMO_ZERO_CHILDREN is asserted")
        .isTrue();
    ZxTestSupport.VmoInfo info = ZxTestSupport.vmoInfo(vmo.handle());
    assertThat(info.numChildren()).as("num_children").isZero();
    assertThat(info.numMappings()).as("num_mappings").isZero();
  }

  private static void assertHandleValid(int handle) {
    ZxTestSupport.assertOk(
        Zircon.zx_object_get_info(
            handle,
            Zircon.ZX_INFO_HANDLE_VALID(),
            MemorySegment.NULL,
            0,
            MemorySegment.NULL,
            MemorySegment.NULL),
        "ZX_INFO_HANDLE_VALID on " + ZxTestSupport.hex(handle));
  }

  // ---- Null arguments -------------------------------------------------------------------------

  @Test
  void nullArgumentsAreNamed() {
    try (Vmo vmo = Vmo.create(PAGE);
        Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(() -> vmo.write((byte[]) null, 0))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("data");
      assertThatThrownBy(() -> vmo.write((MemorySegment) null, 0))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("data");
      assertThatThrownBy(() -> vmo.read((byte[]) null, 0))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("into");
      assertThatThrownBy(() -> vmo.read((MemorySegment) null, 0))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("into");
      assertThatThrownBy(
              () -> ImmutableMapping.create(null, MapOption.SHARED, MapOption.PAGE_IMMEDIATELY))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("vmo");
      assertThatThrownBy(() -> ImmutableMapping.create(null, 0, PAGE))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("vmo");
      assertThatThrownBy(() -> ImmutableMapping.map(null, 0, PAGE, arena))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("vmo");
      assertThat(arena.scope().isAlive()).as("the caller's arena is left open").isTrue();
      assertNothingAllocated(vmo);
    }
  }

  // ---- Negative offsets, lengths and sizes ----------------------------------------------------

  @Test
  void negativeSizesAreRejectedBeforeAnySyscall() {
    assertThatThrownBy(() -> Vmo.create(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size must be >= 0, but is -1");
    assertThatThrownBy(() -> Vmo.create(Long.MIN_VALUE, VmoOption.RESIZABLE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size must be >= 0, but is " + Long.MIN_VALUE);
    try (Vmo vmo = Vmo.create(PAGE, VmoOption.RESIZABLE)) {
      assertThatThrownBy(() -> vmo.setSize(-PAGE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("size must be >= 0, but is " + -PAGE);
      assertThat(vmo.size()).as("size unchanged").isEqualTo(PAGE);
    }
  }

  @Test
  void negativeOffsetsAndLengthsAreNamedWithTheirValue() {
    try (Vmo vmo = Vmo.create(2 * PAGE)) {
      assertThatThrownBy(() -> vmo.write(new byte[1], -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("offset must be >= 0, but is -1");
      assertThatThrownBy(() -> vmo.read(new byte[1], Long.MIN_VALUE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("offset must be >= 0, but is " + Long.MIN_VALUE);
      assertThatThrownBy(
              () -> ImmutableMapping.create(vmo, -PAGE, PAGE, MapOption.PAGE_IMMEDIATELY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("offset must be >= 0, but is " + -PAGE);
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, 0, -7, MapOption.PAGE_IMMEDIATELY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("length must be >= 0, but is -7");
      assertNothingAllocated(vmo);
    }
  }

  // ---- Sizes and ranges zircon refuses --------------------------------------------------------

  @Test
  void hugeOrBadlyOptionedVmoCreationNamesTheValues() {
    assertThatThrownBy(() -> Vmo.create(Long.MAX_VALUE))
        .isInstanceOfSatisfying(
            ZxException.class, e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_OUT_OF_RANGE()))
        .hasMessageContaining("create VMO")
        .hasMessageContaining("size " + Long.MAX_VALUE);
    // Unknown option bits cannot be passed any more (VmoOption is an enum); the details name the
    // options the emulation refuses.
    assertThatThrownBy(() -> Vmo.create(PAGE, VmoOption.DISCARDABLE))
        .isInstanceOfSatisfying(
            ZxException.class, e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_NOT_SUPPORTED()))
        .hasMessageContaining("options DISCARDABLE");
  }

  @ParameterizedTest(name = "offset={0}")
  @ValueSource(strings = {"end", "last byte", "Long.MAX_VALUE - 8", "Long.MAX_VALUE"})
  void rangesPastTheEndOrOverflowingFailOutOfRangeAndChangeNothing(String where) {
    byte[] data = ZxTestSupport.pattern(16, 7);
    try (Vmo vmo = Vmo.create(2 * PAGE)) {
      long start =
          switch (where) {
            case "end" -> 2 * PAGE;
            case "last byte" -> 2 * PAGE - 1; // 16 bytes from here run 15 past the end
            case "Long.MAX_VALUE - 8" -> Long.MAX_VALUE - 8; // offset + 16 > Long.MAX_VALUE
            default -> Long.MAX_VALUE;
          };
      assertThatThrownBy(() -> vmo.write(data, start))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_OUT_OF_RANGE());
                assertThat(e.step()).isEqualTo(ZxException.Step.WRITE_VMO);
              })
          .hasMessageContaining("offset " + start)
          .hasMessageContaining("length " + data.length);
      assertThatThrownBy(() -> vmo.read(new byte[16], start))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_OUT_OF_RANGE()))
          .hasMessageContaining("offset " + start)
          .hasMessageContaining("length 16");
      byte[] whole = new byte[(int) (2 * PAGE)];
      vmo.read(whole, 0);
      assertThat(whole).as("nothing was written").containsOnly((byte) 0);
    }
  }

  @Test
  void mappingRangeThatOverflowsOrIsUnalignedIsRejectedWithItsValues() {
    try (Vmo vmo = Vmo.create(2 * PAGE)) {
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, PAGE, Long.MAX_VALUE - PAGE + 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset " + PAGE)
          .hasMessageContaining("length " + (Long.MAX_VALUE - PAGE + 1))
          .hasMessageContaining("VMO's size " + 2 * PAGE);
      assertThatThrownBy(
              () ->
                  ImmutableMapping.create(
                      vmo, Long.MAX_VALUE / PAGE * PAGE, 1, MapOption.PAGE_IMMEDIATELY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset " + Long.MAX_VALUE / PAGE * PAGE);
      assertThatThrownBy(
              () -> ImmutableMapping.create(vmo, PAGE + 1, 1, MapOption.PAGE_IMMEDIATELY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("but is " + (PAGE + 1));
      assertNothingAllocated(vmo);
    }
  }

  @Test
  void duplicateWithRightsThatAreNotASubsetFailsAndNamesThem() {
    try (Vmo vmo = Vmo.create(PAGE)) {
      assertThatThrownBy(() -> vmo.duplicate(ZxRights.EXECUTE))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_INVALID_ARGS()))
          .hasMessageContaining("rights EXECUTE");
      assertThatThrownBy(() -> vmo.setSize(2 * PAGE))
          .isInstanceOfSatisfying(
              ZxException.class, e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_UNAVAILABLE()))
          .hasMessageContaining("size " + 2 * PAGE);
      assertNothingAllocated(vmo);
    }
  }

  // ---- Foreign handles ------------------------------------------------------------------------

  @Test
  void adoptingTheRootVmarFailsWrongTypeAndLeavesTheHandleAlone() {
    int root = ZxTestSupport.root();
    assertThatThrownBy(() -> Vmo.adopt(root))
        .isInstanceOfSatisfying(
            ZxException.class,
            e -> {
              assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_WRONG_TYPE());
              assertThat(e.step()).isEqualTo(ZxException.Step.ADOPT_HANDLE);
            })
        .hasMessageContaining("handle " + ZxTestSupport.hex(Integer.toUnsignedLong(root)))
        .hasMessageContaining("not a VMO");
    assertHandleValid(root);
    assertThat(ZxTestSupport.handleBasic(root).type()).isEqualTo(Zircon.ZX_OBJ_TYPE_VMAR());
    // The root VMAR still maps: ImmutableMapping uses it.
    try (Vmo vmo = Vmo.create(PAGE);
        ImmutableMapping mapping = ImmutableMapping.create(vmo, MapOption.PAGE_IMMEDIATELY)) {
      assertThat(mapping.size()).isEqualTo(PAGE);
    }
  }

  @ParameterizedTest(name = "handle={0}")
  @ValueSource(ints = {NEVER_ISSUED, 4 /* fixed bits clear */, -1})
  void adoptingANeverIssuedHandleFailsBadHandle(int handle) {
    assertThatThrownBy(() -> Vmo.adopt(handle))
        .isInstanceOfSatisfying(
            ZxException.class, e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_BAD_HANDLE()))
        .hasMessageContaining("handle 0x" + Integer.toHexString(handle));
  }

  @Test
  void adoptingAClosedHandleFailsBadHandleAndZeroIsRejectedByName() {
    Vmo vmo = Vmo.create(PAGE);
    int stale = vmo.handle();
    vmo.close();
    assertThatThrownBy(() -> Vmo.adopt(stale))
        .isInstanceOfSatisfying(
            ZxException.class, e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_BAD_HANDLE()))
        .hasMessageContaining("handle 0x" + Integer.toHexString(stale));
    assertThatThrownBy(() -> Vmo.adopt(Zircon.ZX_HANDLE_INVALID()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("handle must not be ZX_HANDLE_INVALID (0)");
  }

  // ---- Closed objects -------------------------------------------------------------------------

  @Test
  void everyMethodOfAClosedVmoThrowsIllegalState() {
    Vmo vmo = Vmo.create(PAGE);
    vmo.close();
    vmo.close(); // idempotent
    assertThat(vmo).hasToString("Vmo[closed]");
    for (Runnable call :
        new Runnable[] {
          vmo::handle,
          vmo::size,
          () -> vmo.setSize(PAGE),
          () -> vmo.write(new byte[1], 0),
          () -> vmo.read(new byte[1], 0),
          () -> vmo.duplicate(),
          () -> ImmutableMapping.create(vmo),
          () -> ImmutableMapping.create(vmo, MapOption.SHARED, MapOption.PAGE_IMMEDIATELY),
          () -> ImmutableMapping.create(vmo, 0, 1)
        }) {
      assertThatThrownBy(call::run)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Vmo is closed");
    }
    try (Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(() -> ImmutableMapping.map(vmo, 0, vmo.size(), arena))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Vmo is closed");
      assertThat(arena.scope().isAlive()).isTrue();
    }
  }

  @Test
  void aClosedMappingThrowsIllegalStateAndLeavesNothingMapped() {
    try (Vmo vmo = Vmo.create(2 * PAGE)) {
      vmo.write(new byte[] {42}, 0);
      ImmutableMapping mapping = ImmutableMapping.create(vmo);
      MemorySegment segment = mapping.segment();
      ByteBuffer buffer = mapping.asByteBuffer();
      mapping.close();
      mapping.close(); // idempotent
      assertThat(mapping.toString()).contains("closed");
      assertThatThrownBy(mapping::segment)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("mapping is closed");
      assertThatThrownBy(mapping::asByteBuffer)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("mapping is closed");
      assertThatThrownBy(() -> mapping.asByteBuffer(0, 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("mapping is closed");
      assertThatThrownBy(() -> segment.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> buffer.get(0)).isInstanceOf(IllegalStateException.class);
      assertNothingAllocated(vmo);
    }
  }

  @Test
  void aWindowOutsideTheMappingNamesItsValues() {
    try (Vmo vmo = Vmo.create(PAGE);
        ImmutableMapping mapping = ImmutableMapping.create(vmo, MapOption.PAGE_IMMEDIATELY)) {
      assertThatThrownBy(() -> mapping.asByteBuffer(-1, 1))
          .isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessageContaining("offset -1");
      assertThatThrownBy(() -> mapping.asByteBuffer(PAGE, -1))
          .isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessageContaining("length -1");
      assertThatThrownBy(() -> mapping.asByteBuffer(Long.MAX_VALUE, Integer.MAX_VALUE))
          .isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessageContaining("offset " + Long.MAX_VALUE)
          .hasMessageContaining("mapping of " + PAGE + " bytes");
    }
  }

  // ---- Segments the API cannot use ------------------------------------------------------------

  @Test
  void readingIntoAReadOnlySegmentIsRejectedBeforeTheSyscall() {
    try (Vmo vmo = Vmo.create(PAGE);
        Arena arena = Arena.ofConfined()) {
      vmo.write(new byte[] {1, 2, 3}, 0);
      MemorySegment readOnly = arena.allocate(3).asReadOnly();
      assertThatThrownBy(() -> vmo.read(readOnly, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("into is a read-only segment");
      assertThat(readOnly.toArray(JAVA_BYTE)).containsOnly((byte) 0);
      try (ImmutableMapping mapping = ImmutableMapping.create(vmo, MapOption.PAGE_IMMEDIATELY)) {
        assertThatThrownBy(() -> vmo.read(mapping.segment(), 0))
            .as("a mapping's view is read-only too")
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("into is a read-only segment");
        assertThat(mapping.segment().get(JAVA_BYTE, 0)).isEqualTo((byte) 1);
      }
      assertNothingAllocated(vmo);
    }
  }

  @Test
  void segmentsOfAClosedArenaAreNamedAndNothingIsWritten() {
    try (Vmo vmo = Vmo.create(PAGE)) {
      Arena arena = Arena.ofConfined();
      MemorySegment data = arena.allocate(8);
      data.fill((byte) 9);
      arena.close();
      assertThatThrownBy(() -> vmo.write(data, 0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("data is a segment of a closed arena");
      assertThatThrownBy(() -> vmo.read(data, 0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("into is a segment of a closed arena");
      byte[] first = new byte[8];
      vmo.read(first, 0);
      assertThat(first).containsOnly((byte) 0);
    }
  }

  @Test
  void mappingIntoAClosedArenaIsNamedAndLeavesNothingAllocated() {
    try (Vmo vmo = Vmo.create(PAGE)) {
      Arena arena = Arena.ofConfined();
      arena.close();
      assertThatThrownBy(
              () -> ImmutableMapping.map(vmo, 0, vmo.size(), arena, MapOption.PAGE_IMMEDIATELY))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("arena is closed");
      assertNothingAllocated(vmo);
    }
  }

  // ---- Failures after the first syscall leave nothing behind ----------------------------------

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void aFailedMapClosesTheSnapshotChild(boolean immediatelyPage) {
    try (Vmo vmo = Vmo.create(3 * PAGE);
        Vmo unmappable =
            vmo.duplicate(
                ZxRights.fromBits(Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_MAP()));
        Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(
              () ->
                  ImmutableMapping.map(
                      unmappable, 0, unmappable.size(), arena, Paging.of(immediatelyPage)))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_ACCESS_DENIED());
                assertThat(e.step()).isEqualTo(ZxException.Step.MAP_CHILD_VMO);
              })
          .hasMessageContaining("length " + 3 * PAGE);
      assertThat(arena.scope().isAlive()).isTrue();
      assertNothingAllocated(vmo);
    }
  }

  @Test
  void aSourceWithoutReadFailsAtCreateChildAndLeavesNothing() {
    try (Vmo vmo = Vmo.create(PAGE);
        Vmo writeOnly =
            vmo.duplicate(
                ZxRights.fromBits(Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_READ()))) {
      assertThatThrownBy(() -> ImmutableMapping.create(writeOnly, 0, PAGE))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> assertThat(e.step()).isEqualTo(ZxException.Step.CREATE_CHILD_VMO))
          .hasMessageContaining("size " + PAGE);
      assertThatThrownBy(() -> writeOnly.read(new byte[1], 0))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> assertThat(e.status()).isEqualTo(Zircon.ZX_ERR_ACCESS_DENIED()));
      assertNothingAllocated(vmo);
    }
  }
}
