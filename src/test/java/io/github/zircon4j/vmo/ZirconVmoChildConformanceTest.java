package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.filled;
import static io.github.zircon4j.vmo.ZxTestSupport.koidOf;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.pattern;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.rightsOf;
import static io.github.zircon4j.vmo.ZxTestSupport.root;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoInfo;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoSize;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static io.github.zircon4j.vmo.ZxTestSupport.writeMapped;
import static io.github.zircon4j.vmo.ZxTestSupport.writeStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.vmo.ZxTestSupport.VmoInfo;
import io.github.zircon4j.zircon.Zircon;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** zx_vmo_create_child: snapshot semantics, option validation, rights, sizes. */
class ZirconVmoChildConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  private static int snapshot() {
    return Zircon.ZX_VMO_CHILD_SNAPSHOT();
  }

  @Test
  void aSnapshotChildStartsWithTheParentsContents() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) (2 * page), 5);
      int parent = res.vmoWith(2 * page, data);
      int child = res.child(parent, snapshot(), 0, 2 * page);
      assertThat(read(child, 0, data.length)).isEqualTo(data);
    }
  }

  @Test
  void aSnapshotChildDoesNotSeeLaterParentWrites() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmoWith(page, filled((int) page, 0x11));
      int child = res.child(parent, snapshot(), 0, page);
      write(parent, 0, filled((int) page, 0x22));
      assertThat(read(child, 0, (int) page)).containsOnly(0x11);
      assertThat(read(parent, 0, (int) page)).containsOnly(0x22);
    }
  }

  @Test
  void theParentDoesNotSeeSnapshotChildWrites() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmoWith(page, filled((int) page, 0x11));
      int child = res.child(parent, snapshot(), 0, page);
      write(child, 0, filled((int) page, 0x33));
      assertThat(read(parent, 0, (int) page)).containsOnly(0x11);
      assertThat(read(child, 0, (int) page)).containsOnly(0x33);
    }
  }

  @Test
  void aSnapshotChildDoesNotSeeWritesThroughAMappingOfTheParent() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmoWith(2 * page, filled((int) (2 * page), 0x11));
      long addr =
          res.map(Zircon.ZX_VM_PERM_READ() | Zircon.ZX_VM_PERM_WRITE(), parent, 0, 2 * page);
      int child = res.child(parent, snapshot(), 0, 2 * page);
      writeMapped(addr, filled((int) (2 * page), 0x44));
      assertThat(read(parent, 0, (int) (2 * page))).as("parent via vmo_read").containsOnly(0x44);
      assertThat(read(child, 0, (int) (2 * page))).as("child").containsOnly(0x11);
    }
  }

  @Test
  void aSnapshotChildSurvivesClosingTheParent() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) page, 8);
      int parent = res.vmoWith(page, data);
      int child = res.child(parent, snapshot(), 0, page);
      res.closeOk(parent);
      assertThat(read(child, 0, (int) page)).isEqualTo(data);
    }
  }

  @Test
  void atLeastOnWriteChildWritesAreInvisibleToTheParent() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) page, 12);
      int parent = res.vmoWith(page, data);
      int child = res.child(parent, Zircon.ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE(), 0, page);
      assertThat(read(child, 0, (int) page)).as("initial child contents").isEqualTo(data);
      write(child, 0, filled((int) page, 0x55));
      assertThat(read(child, 0, (int) page)).containsOnly(0x55);
      assertThat(read(parent, 0, (int) page)).isEqualTo(data);
    }
  }

  @Test
  void aSliceChildSharesPagesWithItsParent() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmo(2 * page);
      int slice = res.child(parent, Zircon.ZX_VMO_CHILD_SLICE(), page, page);
      write(parent, page, filled(16, 0x66));
      assertThat(read(slice, 0, 16)).containsOnly(0x66);
      write(slice, 32, filled(16, 0x77));
      assertThat(read(parent, page + 32, 16)).containsOnly(0x77);
    }
  }

  @Test
  void aSnapshotChildOfADefaultVmoHasTheDefaultRights() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      int child = res.child(parent, snapshot(), 0, pageSize());
      assertThat(rightsOf(child)).isEqualTo(Zircon.ZX_DEFAULT_VMO_RIGHTS());
    }
  }

  @Test
  void aSnapshotChildGetsWriteEvenIfTheParentHandleLacksIt() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      int readOnly =
          res.duplicate(parent, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_WRITE());
      int child = res.child(readOnly, snapshot(), 0, pageSize());
      assertThat(rightsOf(child)).isEqualTo(Zircon.ZX_DEFAULT_VMO_RIGHTS());
      write(child, 0, new byte[] {1});
    }
  }

  @Test
  void aNoWriteSnapshotChildLacksTheWriteRight() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) page, 4);
      int parent = res.vmoWith(page, data);
      int child = res.child(parent, snapshot() | Zircon.ZX_VMO_CHILD_NO_WRITE(), 0, page);
      assertThat(rightsOf(child)).isEqualTo(0xD0E7);
      assertStatus(
          writeStatus(child, 0, new byte[] {1}), Zircon.ZX_ERR_ACCESS_DENIED(), "write to child");
      assertThat(read(child, 0, (int) page)).isEqualTo(data);
    }
  }

  @Test
  void createChildWithoutATypeIsInvalidArgs() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      for (int options :
          new int[] {0, Zircon.ZX_VMO_CHILD_NO_WRITE(), Zircon.ZX_VMO_CHILD_RESIZABLE()}) {
        assertStatus(
            res.tryChild(parent, options, 0, pageSize()).status(),
            Zircon.ZX_ERR_INVALID_ARGS(),
            "options 0x" + Integer.toHexString(options));
      }
    }
  }

  @Test
  void createChildWithTwoTypesIsInvalidArgs() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      int[] combos = {
        snapshot() | Zircon.ZX_VMO_CHILD_SLICE(),
        snapshot() | Zircon.ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE(),
        Zircon.ZX_VMO_CHILD_SLICE() | Zircon.ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE()
      };
      for (int options : combos) {
        assertStatus(
            res.tryChild(parent, options, 0, pageSize()).status(),
            Zircon.ZX_ERR_INVALID_ARGS(),
            "options 0x" + Integer.toHexString(options));
      }
    }
  }

  @Test
  void createChildResizableAndNoWriteIsInvalidArgs() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      int options = snapshot() | Zircon.ZX_VMO_CHILD_RESIZABLE() | Zircon.ZX_VMO_CHILD_NO_WRITE();
      assertStatus(
          res.tryChild(parent, options, 0, pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "SNAPSHOT|RESIZABLE|NO_WRITE");
    }
  }

  @Test
  void createChildAtAnUnalignedOffsetIsInvalidArgs() {
    try (var res = new Resources()) {
      int parent = res.vmo(2 * pageSize());
      assertStatus(
          res.tryChild(parent, snapshot(), 1, pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "offset 1");
    }
  }

  @Test
  void createChildWhoseOffsetPlusSizeOverflowsIsOutOfRange() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      long alignedNearTop = -pageSize(); // 2^64 - page, page-aligned
      assertStatus(
          res.tryChild(parent, snapshot(), alignedNearTop, 2 * pageSize()).status(),
          Zircon.ZX_ERR_OUT_OF_RANGE(),
          "offset 2^64-page, size 2 pages");
    }
  }

  @Test
  void aSliceOutsideAResizableParentIsInvalidArgsBeforeResizabilityIsChecked() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmo(2 * page, Zircon.ZX_VMO_RESIZABLE());
      assertStatus(
          res.tryChild(parent, Zircon.ZX_VMO_CHILD_SLICE(), page, 2 * page).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "slice of pages 1-2 of a 2-page resizable VMO");
      assertStatus(
          res.tryChild(parent, Zircon.ZX_VMO_CHILD_SLICE(), 0, page).status(),
          Zircon.ZX_ERR_NOT_SUPPORTED(),
          "slice inside a resizable VMO");
    }
  }

  @Test
  void aSliceAtTheLastPageOfTheAddressRangeIsInvalidArgs() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmo(2 * page);
      assertStatus(
          res.tryChild(parent, Zircon.ZX_VMO_CHILD_SLICE(), -page, page).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "slice at offset 2^64 - page");
    }
  }

  @Test
  void aGrandchildWhoseAccumulatedOffsetPasses2To64IsInvalidArgs() {
    try (var res = new Resources()) {
      long page = pageSize();
      long far = -8 * page; // 2^64 - 8 pages
      int parent = res.vmo(page);
      int child = res.child(parent, snapshot() | Zircon.ZX_VMO_CHILD_RESIZABLE(), far, page);
      assertStatus(
          res.tryChild(child, snapshot(), 8 * page, page).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "grandchild at +8 pages");
      assertStatus(
          Zircon.zx_vmo_set_size(child, 8 * page),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "growing the child to end at 2^64");
      assertThat(vmoSize(child)).isEqualTo(page);
    }
  }

  @Test
  void childBytesBeyondTheParentsEndReadAsZeros() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmoWith(page, filled((int) page, 0x7e));
      int child = res.child(parent, snapshot(), 0, 3 * page);
      assertThat(vmoSize(child)).isEqualTo(3 * page);
      assertThat(read(child, 0, (int) page)).containsOnly(0x7e);
      assertThat(read(child, page, (int) (2 * page))).containsOnly(0);
      int beyond = res.child(parent, snapshot(), 2 * page, page);
      assertThat(read(beyond, 0, (int) page)).containsOnly(0);
    }
  }

  @Test
  void createChildWithoutTheDuplicateRightIsAccessDenied() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      int noDup =
          res.duplicate(parent, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_DUPLICATE());
      assertStatus(
          res.tryChild(noDup, snapshot(), 0, pageSize()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "create_child without DUPLICATE");
    }
  }

  @Test
  void createChildWithoutTheReadRightIsAccessDenied() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      int noRead = res.duplicate(parent, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_READ());
      assertStatus(
          res.tryChild(noRead, snapshot(), 0, pageSize()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "create_child without READ");
    }
  }

  @Test
  void createChildOnAVmarIsWrongType() {
    try (var res = new Resources()) {
      assertStatus(
          res.tryChild(root(), snapshot(), 0, pageSize()).status(),
          Zircon.ZX_ERR_WRONG_TYPE(),
          "create_child(root vmar)");
    }
  }

  @Test
  void createChildOnAClosedHandleIsBadHandle() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      res.closeOk(parent);
      assertStatus(
          res.tryChild(parent, snapshot(), 0, pageSize()).status(),
          Zircon.ZX_ERR_BAD_HANDLE(),
          "create_child(closed handle)");
    }
  }

  @Test
  void theChildSizeIsRoundedUpToWholePages() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmo(4 * page);
      for (long size : new long[] {1, page - 1, page, page + 1, 3 * page - 1}) {
        int child = res.child(parent, snapshot(), 0, size);
        long expected = (size + page - 1) / page * page;
        assertThat(vmoSize(child)).as("child of %d bytes", size).isEqualTo(expected);
        res.closeOk(child);
      }
    }
  }

  @Test
  void childInfoNamesTheParentAndTheCowCloneFlag() {
    try (var res = new Resources()) {
      int parent = res.vmo(pageSize());
      int child = res.child(parent, snapshot(), 0, pageSize());
      VmoInfo info = vmoInfo(child);
      assertThat(info.parentKoid()).isEqualTo(koidOf(parent));
      assertThat(info.flags())
          .isEqualTo(
              Zircon.ZX_INFO_VMO_TYPE_PAGED()
                  | Zircon.ZX_INFO_VMO_IS_COW_CLONE()
                  | Zircon.ZX_INFO_VMO_VIA_HANDLE());
      assertThat(vmoInfo(parent).parentKoid()).isEqualTo(Zircon.ZX_KOID_INVALID());
      assertThat(koidOf(child)).isNotEqualTo(koidOf(parent));
    }
  }

  @Test
  void aResizableSnapshotChildCanChangeSize() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) page, 2);
      int parent = res.vmoWith(page, data);
      int child = res.child(parent, snapshot() | Zircon.ZX_VMO_CHILD_RESIZABLE(), 0, page);
      assertOk(Zircon.zx_vmo_set_size(child, 3 * page), "grow child");
      assertThat(vmoSize(child)).isEqualTo(3 * page);
      assertThat(read(child, 0, (int) page)).isEqualTo(data);
      assertThat(read(child, page, (int) (2 * page))).containsOnly(0);
      assertThat(vmoInfo(child).flags() & Zircon.ZX_INFO_VMO_RESIZABLE()).isNotZero();
      assertThat(vmoSize(parent)).as("the parent keeps its size").isEqualTo(page);
    }
  }

  @Test
  void aSnapshotChildIsNotResizableWithoutTheResizableOption() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = res.vmo(page, Zircon.ZX_VMO_RESIZABLE());
      int child = res.child(parent, snapshot(), 0, page);
      assertStatus(
          Zircon.zx_vmo_set_size(child, 2 * page), Zircon.ZX_ERR_UNAVAILABLE(), "set_size");
      assertThat(vmoInfo(child).flags() & Zircon.ZX_INFO_VMO_RESIZABLE()).isZero();
    }
  }
}
