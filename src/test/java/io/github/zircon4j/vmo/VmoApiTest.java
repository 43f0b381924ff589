package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Vmo}'s info, names and ownership transfer (release, replace, adopt, isClosed). */
class VmoApiTest {
  private static long pageSize() {
    return Syscalls.PAGE_SIZE;
  }

  // ---- info() ---------------------------------------------------------------------------------

  @Test
  void infoDescribesAFreshVmo() {
    try (Vmo vmo = Vmo.create(3 * pageSize() - 1)) {
      VmoInfo info = vmo.info();
      assertThat(info.koid()).isEqualTo(ZxTestSupport.koidOf(vmo.handle()));
      assertThat(info.name()).isEmpty();
      assertThat(info.size()).isEqualTo(3 * pageSize());
      assertThat(info.parentKoid()).isZero();
      assertThat(info.numChildren()).isZero();
      assertThat(info.numMappings()).isZero();
      assertThat(info.rights()).isEqualTo(ZxRights.DEFAULT_VMO);
      assertThat(info.flags() & VmoInfo.FLAG_TYPE_PAGED).isNotZero();
      assertThat(info.isResizable()).isFalse();
      assertThat(info.isCowClone()).isFalse();
      assertThat(info.cachePolicy()).isEqualTo(VmoInfo.CACHE_POLICY_CACHED);
      assertThat(info.committedBytes()).isZero();
      assertThat(info.toString()).contains("rights=" + ZxRights.DEFAULT_VMO);
    }
  }

  @Test
  void infoFollowsWritesSnapshotsAndMappings() {
    try (Vmo vmo = Vmo.create(2 * pageSize(), VmoOption.RESIZABLE)) {
      vmo.write(new byte[] {1}, 0);
      assertThat(vmo.info().committedBytes()).isEqualTo(pageSize());
      assertThat(vmo.info().isResizable()).isTrue();
      assertThat(vmo.info().rights()).isEqualTo(ZxRights.DEFAULT_VMO.and(ZxRights.RESIZE));
      try (ImmutableMapping snapshot = ImmutableMapping.create(vmo)) {
        assertThat(vmo.info().numChildren()).as("the snapshot child").isEqualTo(1);
      }
      assertThat(vmo.info().numChildren()).isZero();
    }
    try (Vmo vmo = Vmo.create(pageSize());
        Mapping first = Mapping.create(vmo, 0, pageSize());
        Mapping second = Mapping.create(vmo, 0, pageSize())) {
      assertThat(vmo.info().numMappings()).isEqualTo(2);
    }
  }

  @Test
  void infoReportsTheRightsOfTheHandleAsked() {
    try (Vmo vmo = Vmo.create(pageSize());
        Vmo reader = vmo.duplicate(ZxRights.READ.and(ZxRights.INSPECT))) {
      VmoInfo info = reader.info();
      assertThat(info.rights()).isEqualTo(ZxRights.READ.and(ZxRights.INSPECT));
      assertThat(info.koid()).isEqualTo(vmo.info().koid());
    }
  }

  @Test
  void infoOfAStaleHandleFailsBadHandleAtGetVmoInfo() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      Vmo stale = vmo.duplicate();
      assertThat(Syscalls.handleClose(stale.handle())).isEqualTo(ZxStatus.OK);
      assertThatThrownBy(stale::info)
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_BAD_HANDLE);
                assertThat(e.step()).isEqualTo(ZxException.Step.GET_VMO_INFO);
              });
      stale.release();
    }
  }

  // ---- name() / setName() ---------------------------------------------------------------------

  @Test
  void nameIsEmptyUntilSetAndShowsInInfo() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      assertThat(vmo.name()).isEmpty();
      vmo.setName("frame buffer");
      assertThat(vmo.name()).isEqualTo("frame buffer");
      assertThat(vmo.info().name()).isEqualTo("frame buffer");
      vmo.setName("");
      assertThat(vmo.name()).isEmpty();
    }
  }

  @Test
  void longNamesAreTruncatedTo31Bytes() {
    String name = "0123456789abcdefghijklmnopqrstuvwxyz"; // 36 ASCII bytes
    try (Vmo vmo = Vmo.create(pageSize())) {
      vmo.setName(name);
      assertThat(vmo.name()).isEqualTo(name.substring(0, 31));
    }
  }

  @Test
  void truncationNeverSplitsACharacter() {
    String name = "a".repeat(30) + "é"; // 30 + 2 bytes of UTF-8: the é does not fit
    try (Vmo vmo = Vmo.create(pageSize())) {
      vmo.setName(name);
      assertThat(vmo.name()).isEqualTo("a".repeat(30));
      vmo.setName("€".repeat(11)); // 33 bytes; 10 whole characters fit in 30
      assertThat(vmo.name()).isEqualTo("€".repeat(10));
    }
  }

  @Test
  void nameWithNulIsRejectedByName() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      assertThatThrownBy(() -> vmo.setName("ab\0c"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("name must not contain NUL")
          .hasMessageContaining("index 2");
      assertThatThrownBy(() -> vmo.setName(null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("name");
      assertThatThrownBy(() -> Mapping.allocate(pageSize(), "x\0"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void namingNeedsThePropertyRights() {
    try (Vmo vmo = Vmo.create(pageSize());
        Vmo noSet = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.SET_PROPERTY));
        Vmo noGet = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.GET_PROPERTY))) {
      assertThatThrownBy(() -> noSet.setName("x"))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
                assertThat(e.step()).isEqualTo(ZxException.Step.SET_VMO_NAME);
              });
      assertThatThrownBy(noGet::name)
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED);
                assertThat(e.step()).isEqualTo(ZxException.Step.GET_VMO_NAME);
              });
      assertThat(vmo.name()).isEmpty();
    }
  }

  @Test
  void allocateWithANameNamesTheOwnedVmo() {
    try (Mapping mapping = Mapping.allocate(pageSize(), "writer")) {
      assertThat(mapping.vmo().name()).isEqualTo("writer");
      assertThat(mapping.vmo().info().numMappings()).isEqualTo(1);
    }
  }

  // ---- release(), adopt(), replace(), isClosed() ----------------------------------------------

  @Test
  void releaseGivesUpTheHandleWithoutClosingIt() {
    Vmo vmo = Vmo.create(pageSize());
    vmo.write(new byte[] {7}, 0);
    int raw = vmo.release();
    assertThat(vmo.isClosed()).isTrue();
    vmo.close(); // does nothing: the handle is no longer ours
    assertThatThrownBy(vmo::handle).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(vmo::release)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Vmo is closed");
    try (Vmo adopted = Vmo.adopt(raw)) {
      byte[] read = new byte[1];
      adopted.read(read, 0);
      assertThat(read[0]).as("the same VMO, still open").isEqualTo((byte) 7);
    }
    assertThat(ZxTestSupport.rawHandleBasic(raw).status())
        .as("closed by its new owner")
        .isEqualTo(ZxStatus.ERR_BAD_HANDLE);
  }

  @Test
  void replaceHandsOnFewerRightsAndClosesTheOriginal() {
    Vmo vmo = Vmo.create(pageSize());
    int original = vmo.handle();
    try (Vmo reader = vmo.replace(ZxRights.READ.and(ZxRights.MAP).and(ZxRights.DUPLICATE))) {
      assertThat(vmo.isClosed()).isTrue();
      assertThat(ZxTestSupport.rawHandleBasic(original).status())
          .as("zircon invalidated the original")
          .isEqualTo(ZxStatus.ERR_BAD_HANDLE);
      assertThat(reader.info().rights())
          .isEqualTo(ZxRights.READ.and(ZxRights.MAP).and(ZxRights.DUPLICATE));
      assertThatThrownBy(() -> reader.write(new byte[1], 0))
          .isInstanceOfSatisfying(
              ZxException.class, e -> assertThat(e.status()).isEqualTo(ZxStatus.ERR_ACCESS_DENIED));
      try (ImmutableMapping snapshot = ImmutableMapping.create(reader)) {
        assertThat(snapshot.size()).isEqualTo(pageSize());
      }
    }
  }

  @Test
  void replaceKeepingEveryRightNeedsNoDuplicateRight() {
    try (Vmo vmo = Vmo.create(pageSize());
        Vmo noDuplicate = vmo.duplicate(ZxRights.DEFAULT_VMO.without(ZxRights.DUPLICATE));
        Vmo replaced = noDuplicate.replace(noDuplicate.rights())) {
      assertThat(noDuplicate.isClosed()).isTrue();
      assertThat(replaced.info().rights())
          .isEqualTo(ZxRights.DEFAULT_VMO.without(ZxRights.DUPLICATE));
    }
  }

  @Test
  void replaceWithRightsThatAreNotASubsetThrowsAndKeepsTheVmoOpen() {
    try (Vmo vmo = Vmo.create(pageSize());
        Vmo reader = vmo.duplicate(ZxRights.READ.and(ZxRights.INSPECT))) {
      assertThatThrownBy(() -> reader.replace(ZxRights.READ.and(ZxRights.WRITE)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rights READ|WRITE must be a subset of the handle's rights")
          .hasMessageContaining("READ|INSPECT")
          .hasMessageContaining("missing WRITE");
      assertThat(reader.isClosed()).isFalse();
      assertThat(reader.info().rights()).isEqualTo(ZxRights.READ.and(ZxRights.INSPECT));
    }
  }

  @Test
  void replaceOfAStaleHandleFailsBadHandleAtReplaceVmoHandle() {
    try (Vmo vmo = Vmo.create(pageSize())) {
      Vmo stale = vmo.duplicate();
      assertThat(Syscalls.handleClose(stale.handle())).isEqualTo(ZxStatus.OK);
      assertThatThrownBy(() -> stale.replace(ZxRights.DEFAULT_VMO))
          .isInstanceOfSatisfying(
              ZxException.class,
              e -> {
                assertThat(e.status()).isEqualTo(ZxStatus.ERR_BAD_HANDLE);
                assertThat(e.step()).isEqualTo(ZxException.Step.REPLACE_HANDLE);
              });
      // The rights check before zx_handle_replace failed, so nothing was replaced or invalidated.
      assertThat(stale.isClosed()).isFalse();
    }
  }

  @ParameterizedTest(name = "after {0}")
  @ValueSource(strings = {"close", "release", "replace"})
  void isClosedAfterEveryWayOfGivingUpTheHandle(String how) {
    Vmo vmo = Vmo.create(pageSize());
    assertThat(vmo.isClosed()).isFalse();
    switch (how) {
      case "close" -> vmo.close();
      case "release" -> Syscalls.handleClose(vmo.release());
      default -> vmo.replace(ZxRights.DEFAULT_VMO).close();
    }
    assertThat(vmo.isClosed()).isTrue();
    assertThat(vmo.toString()).isEqualTo("Vmo[closed]");
    assertThatThrownBy(vmo::info).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(vmo::name).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> vmo.setName("x")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> vmo.duplicate()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusedCreateOptionsAreNamedAtCreateVmo() {
    assertThatThrownBy(() -> Vmo.create(pageSize(), VmoOption.RESIZABLE, VmoOption.DISCARDABLE))
        .isInstanceOfSatisfying(
            ZxException.class, e -> assertThat(e.step()).isEqualTo(ZxException.Step.CREATE_VMO))
        .hasMessageContaining("options RESIZABLE|DISCARDABLE");
  }
}
