package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The choices both mapping classes offer through {@link MapOption} (lifetime, paging, read-only),
 * who owns the VMO of an allocated {@link Mapping}, and Rust's {@code TruncatedImmutableMapping}
 * cases, each in both paging modes as in the Rust tests.
 */
class MappingChoicesTest {
  private static final long PAGE = Vmo.pageSize();

  // ---- Rust's TruncatedImmutableMapping tests, on ImmutableMapping.create(vmo, 0, length) -----

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void truncatedViewRespectsTheLength(boolean immediatelyPage) {
    try (Vmo vmo = Vmo.create(30)) {
      vmo.write("the-content".getBytes(StandardCharsets.US_ASCII), 0);
      try (ImmutableMapping mapping =
          ImmutableMapping.create(vmo, 0, 3, Paging.of(immediatelyPage))) {
        assertThat(mapping.size()).isEqualTo(3);
        assertThat(mapping.segment().toArray(ValueLayout.JAVA_BYTE))
            .isEqualTo("the".getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void truncatedViewLongerThanTheVmoIsRefusedNamingBothLengths(boolean immediatelyPage) {
    try (Vmo vmo = Vmo.create(1)) {
      long tooLong = vmo.size() + 1;
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, 0, tooLong, Paging.of(immediatelyPage)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "range [offset 0, length " + tooLong + "] is beyond the VMO's size " + vmo.size());
      assertThat(vmo.info().numChildren()).isZero();
    }
  }

  // ---- Symmetry: Mapping has the choices of ImmutableMapping -----------------------------------

  @ParameterizedTest(name = "immediatelyPage={0}")
  @ValueSource(booleans = {true, false})
  void mappingOfTheWholeVmoSeesWritesBothWays(boolean immediatelyPage) {
    try (Vmo vmo = Vmo.create(2 * PAGE);
        Mapping mapping = Mapping.create(vmo, Paging.of(immediatelyPage))) {
      assertThat(mapping.size()).isEqualTo(2 * PAGE);
      vmo.write(new byte[] {7}, PAGE);
      assertThat(mapping.segment().get(ValueLayout.JAVA_BYTE, PAGE)).isEqualTo((byte) 7);
      mapping.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 9);
      byte[] back = new byte[1];
      vmo.read(back, 0);
      assertThat(back[0]).isEqualTo((byte) 9);
      mapping.prefetch();
      mapping.prefetch(PAGE, 1);
    }
  }

  @Test
  void readOnlyMappingIsALiveViewThatNeedsNoWriteRight() {
    try (Vmo vmo = Vmo.create(PAGE);
        Vmo reader = vmo.duplicate(ZxRights.BASIC.and(ZxRights.READ).and(ZxRights.MAP));
        Mapping view = Mapping.create(reader, MapOption.READ_ONLY)) {
      assertThat(view.segment().isReadOnly()).isTrue();
      assertThat(view.asByteBuffer().isReadOnly()).isTrue();
      vmo.write(new byte[] {1}, 0);
      assertThat(view.segment().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 1);
      vmo.write(new byte[] {2}, 0);
      assertThat(view.segment().get(ValueLayout.JAVA_BYTE, 0))
          .as("not a snapshot: later writes show")
          .isEqualTo((byte) 2);
      assertThatThrownBy(() -> view.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 3))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void writableMappingOfAReadOnlyHandleIsAccessDenied() {
    try (Vmo vmo = Vmo.create(PAGE);
        Vmo reader = vmo.duplicate(ZxRights.BASIC.and(ZxRights.READ).and(ZxRights.MAP))) {
      assertThatThrownBy(() -> Mapping.create(reader))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.step()).isEqualTo(ZxException.Step.MAP_VMO);
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
              })
          .hasMessageContaining("options PERM_READ|PERM_WRITE|REQUIRE_NON_RESIZABLE");
    }
  }

  @Test
  void sharedMappingMayBeWrittenAndClosedByAnotherThread() throws Exception {
    Mapping mapping = Mapping.allocate(PAGE, MapOption.SHARED);
    CompletableFuture.runAsync(
            () -> {
              mapping.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 5);
              mapping.close();
            })
        .get();
    assertThat(mapping.isClosed()).isTrue();
  }

  @Test
  void confinedMappingRefusesAnotherThread() {
    try (Mapping mapping = Mapping.allocate(PAGE)) {
      assertThatThrownBy(() -> CompletableFuture.runAsync(mapping::segment).join())
          .hasCauseInstanceOf(WrongThreadException.class);
    }
  }

  @Test
  void readOnlyArenaMappingGivesAReadOnlySegment() {
    try (Vmo vmo = Vmo.create(PAGE);
        Arena arena = Arena.ofConfined()) {
      MemorySegment segment = Mapping.map(vmo, 0, PAGE, arena, MapOption.READ_ONLY);
      assertThat(segment.isReadOnly()).isTrue();
      assertThat(vmo.info().numMappings()).isOne();
    }
  }

  // ---- Options that do not apply are refused before any syscall --------------------------------

  @Test
  void sharedIsRefusedWhenTheCallersArenaDecides() {
    try (Vmo vmo = Vmo.create(PAGE);
        Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(() -> Mapping.map(vmo, 0, PAGE, arena, MapOption.SHARED))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Mapping.map: MapOption.SHARED does not apply when an arena is given; the arena"
                  + " decides which threads may use the segment (pass Arena.ofShared())");
      assertThatThrownBy(() -> ImmutableMapping.map(vmo, 0, PAGE, arena, MapOption.SHARED))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("ImmutableMapping.map: MapOption.SHARED does not apply");
      assertThat(vmo.info().numMappings()).isZero();
      assertThat(vmo.info().numChildren()).isZero();
    }
  }

  @Test
  void readOnlyIsRefusedWhereItMeansNothing() {
    try (Vmo vmo = Vmo.create(PAGE)) {
      assertThatThrownBy(() -> ImmutableMapping.create(vmo, MapOption.READ_ONLY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "ImmutableMapping.create: MapOption.READ_ONLY does not apply, an ImmutableMapping is"
                  + " always read-only; for a read-only view that shows later writes, use"
                  + " Mapping.create(vmo, MapOption.READ_ONLY)");
      assertThatThrownBy(() -> Mapping.allocate(PAGE, MapOption.READ_ONLY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Mapping.allocate: MapOption.READ_ONLY does not apply");
      assertThatThrownBy(() -> Mapping.create(vmo, (MapOption) null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("options[0]");
    }
  }

  // ---- Ownership of an allocated mapping's VMO -------------------------------------------------

  @Test
  void theBorrowedVmoOfAnAllocatedMappingCannotBeClosedByItsBorrower() {
    try (Mapping mapping = Mapping.allocate(PAGE, "frames")) {
      Vmo vmo = mapping.vmo();
      assertThatThrownBy(vmo::close)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "this Vmo belongs to "
                  + mapping
                  + " (from Mapping.allocate), which closes it: call close() on a duplicate() of"
                  + " it, or close the Mapping");
      assertThatThrownBy(vmo::release)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("call release() on a duplicate()");
      assertThatThrownBy(() -> vmo.replace(ZxRights.READ))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("call replace() on a duplicate()");
      assertThat(vmo.isClosed()).isFalse();
      assertThat(vmo.name()).isEqualTo("frames");
      try (Vmo own = vmo.duplicate()) {
        assertThat(own.size()).isEqualTo(PAGE);
      }
    }
  }

  @Test
  void closingTheMappingClosesItsVmoAndThenClosingTheVmoIsANoOp() {
    Mapping mapping = Mapping.allocate(PAGE);
    Vmo vmo = mapping.vmo();
    mapping.close();
    assertThat(vmo.isClosed()).isTrue();
    vmo.close(); // idempotent once its owner closed it
    assertThatThrownBy(mapping::vmo)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("mapping is closed");
  }

  @Test
  void aMappingOfTheCallersVmoHasNoVmoToLend() {
    try (Vmo vmo = Vmo.create(PAGE);
        Mapping mapping = Mapping.create(vmo)) {
      assertThatThrownBy(mapping::vmo)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("vmo() is only for Mapping.allocate");
    }
  }
}
