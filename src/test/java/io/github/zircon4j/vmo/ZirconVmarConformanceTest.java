package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.filled;
import static io.github.zircon4j.vmo.ZxTestSupport.handleBasic;
import static io.github.zircon4j.vmo.ZxTestSupport.hasProcMaps;
import static io.github.zircon4j.vmo.ZxTestSupport.pageReadableInProcMaps;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.pattern;
import static io.github.zircon4j.vmo.ZxTestSupport.procMappingAt;
import static io.github.zircon4j.vmo.ZxTestSupport.rawMap;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.readMapped;
import static io.github.zircon4j.vmo.ZxTestSupport.root;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static io.github.zircon4j.vmo.ZxTestSupport.writeMapped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.zircon4j.vmo.ZxTestSupport.MapResult;
import io.github.zircon4j.vmo.ZxTestSupport.ProcMapping;
import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * zx_vmar_map / zx_vmar_unmap on the root VMAR. Memory is only touched where zircon guarantees it
 * is mapped, and on Linux only after /proc/self/maps confirms it (so an emulation bug fails the
 * test instead of crashing the JVM).
 */
class ZirconVmarConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  private static int permRead() {
    return Zircon.ZX_VM_PERM_READ();
  }

  private static int permReadWrite() {
    return Zircon.ZX_VM_PERM_READ() | Zircon.ZX_VM_PERM_WRITE();
  }

  @Test
  void theRootVmarHandleIsStableAndIsAVmar() {
    int first = root();
    int second = root();
    assertThat(first).isNotEqualTo(Zircon.ZX_HANDLE_INVALID()).isEqualTo(second);
    assertThat(handleBasic(first).type()).isEqualTo(Zircon.ZX_OBJ_TYPE_VMAR());
  }

  @Test
  void aReadMappingIsPageAlignedAndShowsTheVmoContents() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) (2 * page), 21);
      int vmo = res.vmoWith(2 * page, data);
      long addr = res.map(permRead(), vmo, 0, 2 * page);
      assertThat(addr).isNotZero();
      assertThat(addr % page).as("address %x is page aligned", addr).isZero();
      assertThat(readMapped(addr, 2 * page)).isEqualTo(data);
    }
  }

  @Test
  void mappingAtAVmoOffsetShowsThatPartOfTheVmo() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) (3 * page), 13);
      int vmo = res.vmoWith(3 * page, data);
      long addr = res.map(permRead(), vmo, page, page);
      byte[] expected = java.util.Arrays.copyOfRange(data, (int) page, (int) (2 * page));
      assertThat(readMapped(addr, page)).isEqualTo(expected);
    }
  }

  @Test
  void mappingWithZeroLengthIsInvalidArgs() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertStatus(
          res.tryMap(permRead(), 0, vmo, 0, 0).status(), Zircon.ZX_ERR_INVALID_ARGS(), "len 0");
    }
  }

  @Test
  void mappingAtAnUnalignedVmoOffsetIsInvalidArgs() {
    try (var res = new Resources()) {
      int vmo = res.vmo(2 * pageSize());
      assertStatus(
          res.tryMap(permRead(), 0, vmo, 1, pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "vmo_offset 1");
    }
  }

  @Test
  void aNonzeroVmarOffsetWithoutSpecificIsInvalidArgs() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertStatus(
          res.tryMap(permRead(), pageSize(), vmo, 0, pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "vmar_offset without SPECIFIC");
    }
  }

  @Test
  void writePermissionWithoutReadPermissionIsInvalidArgs() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertStatus(
          res.tryMap(Zircon.ZX_VM_PERM_WRITE(), 0, vmo, 0, pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "PERM_WRITE alone");
    }
  }

  @Test
  void capabilityFlagsAreInvalidArgsForAMapping() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertStatus(
          res.tryMap(permRead() | Zircon.ZX_VM_CAN_MAP_READ(), 0, vmo, 0, pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "PERM_READ|CAN_MAP_READ");
    }
  }

  @Test
  void mappingAVmoWithoutTheMapRightIsAccessDenied() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noMap = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_MAP());
      assertStatus(
          res.tryMap(permRead(), 0, noMap, 0, pageSize()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "map without MAP right");
      // The MAP check comes before option validation.
      assertStatus(
          res.tryMap(Zircon.ZX_VM_PERM_WRITE(), 0, noMap, 0, pageSize()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "PERM_WRITE alone without MAP right");
    }
  }

  @Test
  void writePermissionOnAHandleWithoutWriteIsAccessDenied() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noWrite = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_WRITE());
      assertStatus(
          res.tryMap(permReadWrite(), 0, noWrite, 0, pageSize()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "PERM_READ|PERM_WRITE without WRITE right");
    }
  }

  @Test
  void readPermissionOnAHandleWithoutReadIsAccessDenied() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noRead = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_READ());
      assertStatus(
          res.tryMap(permRead(), 0, noRead, 0, pageSize()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "PERM_READ without READ right");
    }
  }

  @Test
  void requireNonResizableOnAResizableVmoIsNotSupported() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize(), Zircon.ZX_VMO_RESIZABLE());
      assertStatus(
          res.tryMap(permRead() | Zircon.ZX_VM_REQUIRE_NON_RESIZABLE(), 0, vmo, 0, pageSize())
              .status(),
          Zircon.ZX_ERR_NOT_SUPPORTED(),
          "REQUIRE_NON_RESIZABLE on a resizable VMO");
    }
  }

  @Test
  void requireNonResizableAcceptsASnapshotOfAResizableVmo() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page, Zircon.ZX_VMO_RESIZABLE());
      byte[] data = pattern((int) page, 31);
      write(vmo, 0, data);
      int child =
          res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT() | Zircon.ZX_VMO_CHILD_NO_WRITE(), 0, page);
      long addr = res.map(permRead() | Zircon.ZX_VM_REQUIRE_NON_RESIZABLE(), child, 0, page);
      assertThat(readMapped(addr, page)).isEqualTo(data);
    }
  }

  @Test
  void anUnalignedLengthIsRoundedUpToWholePages() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) (4 * page), 17);
      int vmo = res.vmoWith(4 * page, data);
      long addr = res.map(permRead(), vmo, 0, 4 * page - 1);
      // The whole last page is mapped, including the byte past the requested length.
      assertThat(readMapped(addr + 3 * page, page))
          .isEqualTo(java.util.Arrays.copyOfRange(data, (int) (3 * page), (int) (4 * page)));
    }
  }

  @Test
  void aReadOnlyMappingIsReadOnlyInProcSelfMaps() {
    assumeTrue(hasProcMaps(), "needs /proc/self/maps (Linux host)");
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      long addr = res.map(permRead(), vmo, 0, 2 * page);
      for (long p = addr; p < addr + 2 * page; p += page) {
        Optional<ProcMapping> m = procMappingAt(p);
        assertThat(m).as("mapping at %x", p).isPresent();
        assertThat(m.get().perms()).as("perms at %x", p).startsWith("r--");
      }
    }
  }

  @Test
  void aReadWriteMappingIsWritableInProcSelfMaps() {
    assumeTrue(hasProcMaps(), "needs /proc/self/maps (Linux host)");
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      long addr = res.map(permReadWrite(), vmo, 0, pageSize());
      assertThat(procMappingAt(addr)).isPresent();
      assertThat(procMappingAt(addr).get().perms()).startsWith("rw-");
    }
  }

  @Test
  void writesThroughAWritableMappingAreVisibleToVmoRead() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      long addr = res.map(permReadWrite(), vmo, 0, 2 * page);
      byte[] data = pattern(200, 77);
      writeMapped(addr + page - 100, data);
      assertThat(read(vmo, page - 100, data.length)).isEqualTo(data);
    }
  }

  @Test
  void vmoWritesAreVisibleThroughAnExistingMapping() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      long addr = res.map(permRead(), vmo, 0, page);
      assertThat(readMapped(addr, page)).containsOnly(0);
      byte[] data = pattern(64, 90);
      write(vmo, 128, data);
      assertThat(readMapped(addr + 128, data.length)).isEqualTo(data);
    }
  }

  @Test
  void aMappingKeepsTheVmoAliveAfterItsLastHandleCloses() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) page, 61);
      int vmo = res.vmoWith(page, data);
      long addr = res.map(permReadWrite(), vmo, 0, page);
      res.closeOk(vmo);
      assertThat(readMapped(addr, page)).isEqualTo(data);
      writeMapped(addr, filled(8, 0x3c));
      assertThat(readMapped(addr, 8)).containsOnly(0x3c);
    }
  }

  @Test
  void unmappingOnePageOfTwoLeavesTheOtherReadable() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) (2 * page), 44);
      int vmo = res.vmoWith(2 * page, data);
      long addr = res.map(permRead(), vmo, 0, 2 * page);
      res.unmapOk(addr + page, page);
      assertThat(readMapped(addr, page))
          .isEqualTo(java.util.Arrays.copyOfRange(data, 0, (int) page));
      if (hasProcMaps()) {
        assertThat(pageReadableInProcMaps(addr + page)).as("the unmapped page").isFalse();
      }
    }
  }

  @Test
  void unmappingTheFirstPageLeavesTheSecondReadable() {
    try (var res = new Resources()) {
      long page = pageSize();
      byte[] data = pattern((int) (2 * page), 45);
      int vmo = res.vmoWith(2 * page, data);
      long addr = res.map(permRead(), vmo, 0, 2 * page);
      res.unmapOk(addr, page);
      assertThat(readMapped(addr + page, page))
          .isEqualTo(java.util.Arrays.copyOfRange(data, (int) page, (int) (2 * page)));
      if (hasProcMaps()) {
        assertThat(pageReadableInProcMaps(addr)).as("the unmapped page").isFalse();
      }
    }
  }

  @Test
  void unmapRemovesTheWholeMapping() {
    assumeTrue(hasProcMaps(), "needs /proc/self/maps (Linux host)");
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      long addr = res.map(permRead(), vmo, 0, 2 * page);
      assertThat(pageReadableInProcMaps(addr)).isTrue();
      res.unmapOk(addr, 2 * page);
      assertThat(pageReadableInProcMaps(addr)).isFalse();
      assertThat(pageReadableInProcMaps(addr + page)).isFalse();
    }
  }

  @Test
  void unmapAtAnUnalignedAddressIsInvalidArgs() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      long addr = res.map(permRead(), vmo, 0, pageSize());
      assertStatus(
          res.unmap(addr + 1, pageSize()), Zircon.ZX_ERR_INVALID_ARGS(), "unmap at addr+1");
      assertThat(readMapped(addr, 16)).as("still mapped").hasSize(16);
    }
  }

  @Test
  void unmapWithZeroLengthIsInvalidArgs() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      long addr = res.map(permRead(), vmo, 0, pageSize());
      assertStatus(res.unmap(addr, 0), Zircon.ZX_ERR_INVALID_ARGS(), "unmap len 0");
      assertThat(readMapped(addr, 16)).as("still mapped").hasSize(16);
    }
  }

  @Test
  void mapRangeAndLazyMappingsHaveTheSameContents() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(3 * page);
      byte[] data = pattern((int) page, 99);
      write(vmo, page, data); // pages 0 and 2 stay uncommitted
      long lazy = res.map(permRead(), vmo, 0, 3 * page);
      long eager = res.map(permRead() | Zircon.ZX_VM_MAP_RANGE(), vmo, 0, 3 * page);
      byte[] viaEager = readMapped(eager, 3 * page);
      assertThat(readMapped(lazy, 3 * page)).isEqualTo(viaEager);
      assertThat(java.util.Arrays.copyOfRange(viaEager, (int) page, (int) (2 * page)))
          .isEqualTo(data);
    }
  }

  @Test
  void aMappingWithNoPermissionsIsAllowed() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      MapResult r = res.tryMap(0, 0, vmo, 0, pageSize());
      assertOk(r.status(), "map with options 0");
      assertThat(r.address()).isNotZero();
      assertThat(r.address() % pageSize()).isZero();
      res.unmapOk(r.address(), pageSize());
    }
  }

  @Test
  void mappingIntoAVmoHandleInsteadOfAVmarIsWrongType() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      MapResult r = rawMap(vmo, permRead(), 0, vmo, 0, pageSize());
      if (r.status() == Zircon.ZX_OK()) {
        res.trackMapping(r.address(), pageSize());
      }
      assertStatus(r.status(), Zircon.ZX_ERR_WRONG_TYPE(), "zx_vmar_map(vmo as vmar)");
    }
  }

  @Test
  void mappingAClosedVmoHandleIsBadHandle() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      res.closeOk(vmo);
      assertStatus(
          res.tryMap(permRead(), 0, vmo, 0, pageSize()).status(),
          Zircon.ZX_ERR_BAD_HANDLE(),
          "map closed handle");
    }
  }
}
