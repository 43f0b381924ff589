package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link Vmo}'s children (snapshot, slice) as VMOs, its op_range operations (commit, decommit,
 * zero), its content size and the page size, each with the zircon rights rule it documents.
 */
class VmoChildrenAndRangesTest {
  private static final long PAGE = Vmo.pageSize();

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String read(Vmo vmo, long offset, int length) {
    byte[] into = new byte[length];
    vmo.read(into, offset);
    return new String(into, StandardCharsets.US_ASCII);
  }

  @Test
  void pageSizeIsWhatVmoSizesAreRoundedTo() {
    assertThat(Long.bitCount(PAGE)).isOne();
    assertThat(PAGE).isEqualTo(ZxTestSupport.pageSize());
    try (Vmo vmo = Vmo.create(1)) {
      assertThat(vmo.size()).isEqualTo(PAGE);
    }
  }

  @Test
  void snapshotIgnoresLaterWritesOnEitherSide() {
    try (Vmo vmo = Vmo.create(2 * PAGE)) {
      vmo.write(bytes("before"), PAGE);
      try (Vmo snapshot = vmo.snapshot(PAGE, PAGE)) {
        vmo.write(bytes("parent"), PAGE);
        snapshot.write(bytes("child!"), 6);
        assertThat(read(snapshot, 0, 12)).isEqualTo("beforechild!");
        assertThat(read(vmo, PAGE, 12)).isEqualTo("parent\0\0\0\0\0\0");
        assertThat(snapshot.size()).isEqualTo(PAGE);
        assertThat(snapshot.info().parentKoid()).isEqualTo(vmo.info().koid());
      }
    }
  }

  @Test
  void snapshotChildRightsFollowZirconsRule() {
    try (Vmo vmo = Vmo.create(PAGE);
        Vmo readOnly = vmo.duplicate(ZxRights.BASIC.and(ZxRights.READ).and(ZxRights.MAP));
        Vmo writable = readOnly.snapshot(0, PAGE);
        Vmo immutable = vmo.snapshot(0, PAGE, VmoChildOption.NO_WRITE)) {
      // SNAPSHOT: parent's rights | GET_PROPERTY | SET_PROPERTY | WRITE, minus EXECUTE.
      assertThat(writable.rights())
          .isEqualTo(readOnly.rights().and(ZxRights.PROPERTY).and(ZxRights.WRITE));
      // SNAPSHOT + NO_WRITE: no WRITE, so writes are refused.
      assertThat(immutable.rights().containsAll(ZxRights.WRITE)).isFalse();
      assertThatThrownBy(() -> immutable.write(bytes("x"), 0))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.step()).isEqualTo(ZxException.Step.WRITE_VMO);
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
              });
    }
  }

  @Test
  void childrenNeedDuplicateAndReadOnTheParentHandle() {
    try (Vmo vmo = Vmo.create(PAGE);
        Vmo noDuplicate = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.DUPLICATE));
        Vmo noRead = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.READ))) {
      for (Vmo parent : new Vmo[] {noDuplicate, noRead}) {
        assertThatThrownBy(() -> parent.snapshot(0, PAGE))
            .isInstanceOfSatisfying(
                ZxException.class,
                e -> {
                  assertThat(e.step()).isEqualTo(ZxException.Step.CREATE_CHILD_VMO);
                  assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
                })
            .hasMessageContaining("options SNAPSHOT");
        assertThatThrownBy(() -> parent.slice(0, PAGE))
            .isInstanceOf(ZxException.class)
            .hasMessageContaining("options SLICE");
      }
      assertThat(vmo.info().numChildren()).isZero();
    }
  }

  @Test
  void sliceSharesThePagesOfItsParent() {
    try (Vmo vmo = Vmo.create(3 * PAGE);
        Vmo slice = vmo.slice(PAGE, PAGE)) {
      vmo.write(bytes("from parent"), PAGE);
      assertThat(read(slice, 0, 11)).isEqualTo("from parent");
      slice.write(bytes("from slice"), 100);
      assertThat(read(vmo, PAGE + 100, 10)).isEqualTo("from slice");
      // SLICE: parent's rights | GET_PROPERTY | SET_PROPERTY.
      assertThat(slice.rights()).isEqualTo(vmo.rights().and(ZxRights.PROPERTY));
    }
  }

  @Test
  void childOffsetsMustBePageAlignedAndAreCheckedBeforeAnySyscall() {
    try (Vmo vmo = Vmo.create(2 * PAGE)) {
      assertThatThrownBy(() -> vmo.snapshot(100, PAGE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("offset must be a multiple of the page size (" + PAGE + "), but is 100");
      assertThatThrownBy(() -> vmo.slice(0, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("size must be >= 0, but is -1");
      assertThatThrownBy(() -> vmo.snapshot(0, PAGE, (VmoChildOption) null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("options[0]");
      assertThat(vmo.info().numChildren()).isZero();
    }
  }

  @Test
  void commitDecommitAndZeroChangeCommittedMemoryAndContent() {
    try (Vmo vmo = Vmo.create(4 * PAGE)) {
      vmo.commit(0, 2 * PAGE);
      assertThat(vmo.info().committedBytes()).isEqualTo(2 * PAGE);
      vmo.write(bytes("data"), PAGE);
      vmo.zero(PAGE, 2);
      assertThat(read(vmo, PAGE, 4)).isEqualTo("\0\0ta");
      vmo.decommit(0, 2 * PAGE);
      assertThat(vmo.info().committedBytes()).isZero();
      assertThat(read(vmo, PAGE, 4)).isEqualTo("\0\0\0\0");
    }
  }

  @Test
  void rangeOperationsNeedWrite() {
    try (Vmo vmo = Vmo.create(PAGE);
        Vmo reader = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.WRITE))) {
      assertThatThrownBy(() -> reader.commit(0, PAGE))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.step()).isEqualTo(ZxException.Step.COMMIT_VMO);
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
              });
      assertThatThrownBy(() -> reader.decommit(0, PAGE))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> assertThat(e.step()).isEqualTo(ZxException.Step.DECOMMIT_VMO));
      assertThatThrownBy(() -> reader.zero(0, PAGE))
          .isInstanceOfSatisfying(
              ZxException.class, e -> assertThat(e.step()).isEqualTo(ZxException.Step.ZERO_VMO));
    }
  }

  @Test
  void decommitOfAnUnalignedRangeIsInvalidArgs() {
    try (Vmo vmo = Vmo.create(2 * PAGE)) {
      assertThatThrownBy(() -> vmo.decommit(1, PAGE))
          .isInstanceOfSatisfying(
              ZxException.class, e -> assertThat(e.status()).isEqualTo(ZxStatus.ERR_INVALID_ARGS));
    }
  }

  @Test
  void contentSizeStartsUnroundedAndCanBeSet() {
    try (Vmo vmo = Vmo.create(PAGE + 10)) {
      assertThat(vmo.contentSize()).isEqualTo(PAGE + 10);
      assertThat(vmo.size()).isEqualTo(2 * PAGE);
      vmo.setContentSize(5);
      assertThat(vmo.contentSize()).isEqualTo(5);
      assertThat(vmo.size()).isEqualTo(2 * PAGE);
    }
  }

  @Test
  void contentSizeNeedsThePropertyRights() {
    try (Vmo vmo = Vmo.create(PAGE);
        Vmo noGet = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.GET_PROPERTY));
        Vmo noSet = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.SET_PROPERTY))) {
      assertThatThrownBy(noGet::contentSize)
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.step()).isEqualTo(ZxException.Step.GET_CONTENT_SIZE);
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
              });
      assertThatThrownBy(() -> noSet.setContentSize(1))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.step()).isEqualTo(ZxException.Step.SET_CONTENT_SIZE);
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
              });
      assertThatThrownBy(() -> vmo.setContentSize(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("contentSize must be >= 0, but is -1");
    }
  }

  @Test
  void rightsReportsTheHandlesRights() {
    try (Vmo vmo = Vmo.create(PAGE, VmoOption.RESIZABLE)) {
      assertThat(vmo.rights()).isEqualTo(ZxRights.DEFAULT_VMO.and(ZxRights.RESIZE));
    }
  }
}
