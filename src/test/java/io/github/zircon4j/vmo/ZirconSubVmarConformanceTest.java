package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.filled;
import static io.github.zircon4j.vmo.ZxTestSupport.handleBasic;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.procMappingAt;
import static io.github.zircon4j.vmo.ZxTestSupport.rawMap;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.readMapped;
import static io.github.zircon4j.vmo.ZxTestSupport.root;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoInfo;
import static io.github.zircon4j.vmo.ZxTestSupport.writeMapped;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.MapResult;
import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_vmar;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** zx_vmar_allocate, zx_vmar_destroy, zx_vmar_protect and ZX_INFO_VMAR. */
class ZirconSubVmarConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  // Methods, not constants: Zircon is only usable once the library is loaded.
  private static int canRw() {
    return Zircon.ZX_VM_CAN_MAP_READ() | Zircon.ZX_VM_CAN_MAP_WRITE();
  }

  private static int rw() {
    return Zircon.ZX_VM_PERM_READ() | Zircon.ZX_VM_PERM_WRITE();
  }

  /** A sub-region handle and its base address. */
  record Region(int status, int handle, long base) {}

  private static Region rawAllocate(int parent, int options, long offset, long size) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment handle = arena.allocate(ValueLayout.JAVA_INT);
      MemorySegment addr = arena.allocate(ValueLayout.JAVA_LONG);
      int status = Zircon.zx_vmar_allocate(parent, options, offset, size, handle, addr);
      return new Region(
          status, handle.get(ValueLayout.JAVA_INT, 0), addr.get(ValueLayout.JAVA_LONG, 0));
    }
  }

  /** Allocates a region that the resources destroy, then close, at the end. */
  private static Region allocate(Resources res, int parent, int options, long offset, long size) {
    Region r = rawAllocate(parent, options, offset, size);
    assertOk(r.status(), "zx_vmar_allocate(" + Integer.toHexString(options) + ")");
    res.ownRegion(r.handle());
    return r;
  }

  private static long[] vmarInfo(int vmar) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = zx_info_vmar.allocate(arena);
      assertOk(
          Zircon.zx_object_get_info(
              vmar,
              Zircon.ZX_INFO_VMAR(),
              info,
              zx_info_vmar.sizeof(),
              MemorySegment.NULL,
              MemorySegment.NULL),
          "ZX_INFO_VMAR");
      return new long[] {zx_info_vmar.base(info), zx_info_vmar.len(info)};
    }
  }

  private static long mapIn(int vmar, int options, long offset, int vmo, long len) {
    MapResult r = rawMap(vmar, options, offset, vmo, 0, len);
    assertOk(r.status(), "zx_vmar_map in a region");
    return r.address();
  }

  @Test
  void anAllocatedRegionHasDefaultVmarRightsAndItsRange() {
    try (var res = new Resources()) {
      Region region = allocate(res, root(), canRw(), 0, 8 * pageSize());
      assertThat(region.base() % pageSize()).isZero();
      assertThat(handleBasic(region.handle()).type()).isEqualTo(Zircon.ZX_OBJ_TYPE_VMAR());
      assertThat(handleBasic(region.handle()).rights())
          .isEqualTo(
              Zircon.ZX_DEFAULT_VMAR_RIGHTS() | Zircon.ZX_RIGHT_READ() | Zircon.ZX_RIGHT_WRITE());
      assertThat(vmarInfo(region.handle())).containsExactly(region.base(), 8 * pageSize());
      assertOk(Zircon.zx_vmar_destroy(region.handle()), "destroy");
    }
  }

  @Test
  void allocateRejectsBadArgumentsAndMissingRights() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertStatus(
          rawAllocate(vmo, canRw(), 0, pageSize()).status(),
          Zircon.ZX_ERR_WRONG_TYPE(),
          "allocate in a VMO");
      assertStatus(
          rawAllocate(root(), canRw() | Zircon.ZX_VM_PERM_READ(), 0, pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "PERM_READ in allocate options");
      assertStatus(
          rawAllocate(root(), canRw(), 0, pageSize() - 1).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "unaligned size");
      assertStatus(
          rawAllocate(root(), canRw(), pageSize(), pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "offset without SPECIFIC");
      Region readOnly = allocate(res, root(), Zircon.ZX_VM_CAN_MAP_READ(), 0, 4 * pageSize());
      assertStatus(
          rawAllocate(readOnly.handle(), canRw(), 0, pageSize()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "a writable child of a read-only region");
      assertStatus(
          rawAllocate(readOnly.handle(), canRw(), 0, 5 * pageSize()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "rights are checked before the size");
      assertStatus(
          rawAllocate(readOnly.handle(), Zircon.ZX_VM_CAN_MAP_READ(), 0, 5 * pageSize()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "larger than the parent");
      assertOk(Zircon.zx_vmar_destroy(readOnly.handle()), "destroy");
    }
  }

  @Test
  void mappingsInARegionStayInsideItUntilItIsFull() {
    try (var res = new Resources()) {
      long page = pageSize();
      Region region = allocate(res, root(), canRw(), 0, 3 * page);
      int vmo = res.vmoWith(page, filled(16, 0x5A));
      for (int i = 0; i < 3; i++) {
        long at = mapIn(region.handle(), Zircon.ZX_VM_PERM_READ(), 0, vmo, page);
        assertThat(at).isBetween(region.base(), region.base() + 2 * page);
        assertThat(readMapped(at, 16)).isEqualTo(filled(16, 0x5A));
      }
      assertStatus(
          rawMap(region.handle(), Zircon.ZX_VM_PERM_READ(), 0, vmo, 0, page).status(),
          Zircon.ZX_ERR_NO_MEMORY(),
          "a fourth page in a three-page region");
      assertOk(Zircon.zx_vmar_destroy(region.handle()), "destroy");
      assertThat(vmoInfo(vmo).numMappings()).as("destroy unmapped all three").isZero();
    }
  }

  @Test
  void specificMappingsNeedCanMapSpecificAndAreRelativeToTheRegion() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      Region plain = allocate(res, root(), canRw(), 0, 4 * page);
      assertStatus(
          rawMap(plain.handle(), rw() | Zircon.ZX_VM_SPECIFIC(), page, vmo, 0, page).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "SPECIFIC without CAN_MAP_SPECIFIC");
      Region spec = allocate(res, root(), canRw() | Zircon.ZX_VM_CAN_MAP_SPECIFIC(), 0, 4 * page);
      long at = mapIn(spec.handle(), rw() | Zircon.ZX_VM_SPECIFIC(), 2 * page, vmo, page);
      assertThat(at).isEqualTo(spec.base() + 2 * page);
      assertStatus(
          rawMap(spec.handle(), rw() | Zircon.ZX_VM_SPECIFIC(), 2 * page, vmo, 0, page).status(),
          Zircon.ZX_ERR_ALREADY_EXISTS(),
          "SPECIFIC over a mapping");
      assertStatus(
          rawMap(spec.handle(), rw() | Zircon.ZX_VM_SPECIFIC(), 4 * page, vmo, 0, page).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "SPECIFIC past the region");
      assertOk(Zircon.zx_vmar_destroy(spec.handle()), "destroy");
      assertOk(Zircon.zx_vmar_destroy(plain.handle()), "destroy");
    }
  }

  @Test
  void aDestroyedRegionsHandleGivesBadStateAndItsMappingsAreGone() {
    try (var res = new Resources()) {
      long page = pageSize();
      Region outer = allocate(res, root(), canRw(), 0, 4 * page);
      Region inner = allocate(res, outer.handle(), canRw(), 0, page);
      int vmo = res.vmo(page);
      long mapped = mapIn(inner.handle(), rw(), 0, vmo, page);
      writeMapped(mapped, filled(8, 7));
      assertThat(read(vmo, 0, 8)).isEqualTo(filled(8, 7));
      assertOk(Zircon.zx_vmar_destroy(outer.handle()), "destroy the outer region");
      assertThat(vmoInfo(vmo).numMappings()).isZero();
      assertThat(procMappingAt(mapped).map(m -> m.perms().startsWith("r")).orElse(false))
          .as("nothing readable is left where the mapping was")
          .isFalse();
      for (int h : new int[] {outer.handle(), inner.handle()}) {
        assertStatus(Zircon.zx_vmar_destroy(h), Zircon.ZX_ERR_BAD_STATE(), "destroy again");
        assertStatus(rawMap(h, rw(), 0, vmo, 0, page).status(), Zircon.ZX_ERR_BAD_STATE(), "map");
        assertStatus(
            rawAllocate(h, canRw(), 0, page).status(), Zircon.ZX_ERR_BAD_STATE(), "allocate");
        assertStatus(Zircon.zx_vmar_unmap(h, mapped, page), Zircon.ZX_ERR_BAD_STATE(), "unmap");
        assertStatus(
            Zircon.zx_vmar_protect(h, Zircon.ZX_VM_PERM_READ(), mapped, page),
            Zircon.ZX_ERR_BAD_STATE(),
            "protect");
      }
      assertStatus(
          Zircon.zx_vmar_destroy(root()), Zircon.ZX_ERR_NOT_SUPPORTED(), "destroy the root");
    }
  }

  @Test
  void protectMakesOnePageOfAReadOnlyMappingWritable() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmoWith(3 * page, filled(4, 1));
      long at = res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, 3 * page);
      assertOk(Zircon.zx_vmar_protect(root(), rw(), at + page, page), "protect the middle page");
      assertThat(vmoInfo(vmo).numMappings()).as("split in three").isEqualTo(3);
      writeMapped(at + page, filled(4, 9));
      assertThat(read(vmo, page, 4)).isEqualTo(filled(4, 9));
      assertThat(procMappingAt(at).orElseThrow().perms()).startsWith("r-");
      assertThat(procMappingAt(at + 2 * page).orElseThrow().perms()).startsWith("r-");
      assertOk(
          Zircon.zx_vmar_protect(root(), Zircon.ZX_VM_PERM_READ(), at, 3 * page),
          "back to read-only");
      assertThat(procMappingAt(at + page).orElseThrow().perms()).startsWith("r-");
      assertThat(readMapped(at + page, 4)).isEqualTo(filled(4, 9));
    }
  }

  @Test
  void protectIsBoundedByTheRightsAtMapTimeAndNeedsMappedMemory() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      int readOnly = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_WRITE());
      long at = res.map(Zircon.ZX_VM_PERM_READ(), readOnly, 0, page);
      assertStatus(
          Zircon.zx_vmar_protect(root(), rw(), at, page),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "write on a mapping made through a handle without WRITE");
      assertStatus(
          Zircon.zx_vmar_protect(root(), Zircon.ZX_VM_PERM_READ(), at, 2 * page),
          Zircon.ZX_ERR_NOT_FOUND(),
          "a range running past the mapping");
      assertStatus(
          Zircon.zx_vmar_protect(root(), Zircon.ZX_VM_PERM_WRITE(), at, page),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "WRITE without READ");
      assertStatus(
          Zircon.zx_vmar_protect(root(), Zircon.ZX_VM_PERM_READ(), at, 0),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "length 0");
    }
  }
}
