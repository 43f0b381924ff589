package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.readMapped;
import static io.github.zircon4j.vmo.ZxTestSupport.readStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.root;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static io.github.zircon4j.vmo.ZxTestSupport.writeStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules the C suite's conformance_fidelity.c pins, seen through the bindings: the statuses the
 * facade turns into exceptions (uncached VMOs, zx_vmar_op_range over gaps, faults on the caller's
 * buffer) and the ZX_INFO_VMO field the model reads.
 */
class ZirconFidelityConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  @Test
  void anUncachedVmoRefusesReadsWritesAndSnapshotsButNotSlices() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertOk(Zircon.zx_vmo_set_cache_policy(vmo, Zircon.ZX_CACHE_POLICY_UNCACHED()), "uncached");
      assertStatus(readStatus(vmo, 0, 8), Zircon.ZX_ERR_BAD_STATE(), "zx_vmo_read");
      assertStatus(writeStatus(vmo, 0, new byte[8]), Zircon.ZX_ERR_BAD_STATE(), "zx_vmo_write");
      assertStatus(
          res.tryChild(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize()).status(),
          Zircon.ZX_ERR_BAD_STATE(),
          "snapshot of an uncached VMO");
      int slice = res.child(vmo, Zircon.ZX_VMO_CHILD_SLICE(), 0, pageSize());
      assertStatus(readStatus(slice, 0, 8), Zircon.ZX_ERR_BAD_STATE(), "read through a slice");
    }
  }

  @Test
  void vmarDecommitOverAGapIsBadStateAndThroughAReadOnlyMappingOfAWritableVmoSucceeds() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      MemorySegment handle = arena.allocate(ValueLayout.JAVA_INT);
      MemorySegment base = arena.allocate(ValueLayout.JAVA_LONG);
      int canMap =
          Zircon.ZX_VM_CAN_MAP_SPECIFIC()
              | Zircon.ZX_VM_CAN_MAP_READ()
              | Zircon.ZX_VM_CAN_MAP_WRITE();
      assertOk(Zircon.zx_vmar_allocate(root(), canMap, 0, 3 * page, handle, base), "allocate");
      int region = res.ownRegion(handle.get(ValueLayout.JAVA_INT, 0));
      long start = base.get(ValueLayout.JAVA_LONG, 0);
      MemorySegment addr = arena.allocate(ValueLayout.JAVA_LONG);
      int specific = Zircon.ZX_VM_SPECIFIC() | Zircon.ZX_VM_PERM_READ();
      // Region page 0 maps VMO page 0 read-only, page 1 is a gap, page 2 maps VMO page 1.
      assertOk(Zircon.zx_vmar_map(region, specific, 0, vmo, 0, page, addr), "map page 0");
      assertOk(Zircon.zx_vmar_map(region, specific, 2 * page, vmo, page, page, addr), "map 2");
      write(vmo, 0, new byte[] {7});
      int decommit = Zircon.ZX_VMAR_OP_DECOMMIT();
      assertStatus(
          Zircon.zx_vmar_op_range(region, decommit, start, 3 * page, MemorySegment.NULL, 0),
          Zircon.ZX_ERR_BAD_STATE(),
          "decommit over the gap");
      assertThat(read(vmo, 0, 1)).containsExactly(7);
      assertOk(
          Zircon.zx_vmar_op_range(region, decommit, start, page, MemorySegment.NULL, 0),
          "decommit through the read-only mapping");
      assertThat(read(vmo, 0, 1)).containsExactly(0);
      assertThat(readMapped(start, 1)).containsExactly(0);
    }
  }

  @Test
  void readingIntoAReadOnlyMappingIsAccessDeniedAndIntoAnUnmappedOneNotFound() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      write(vmo, 0, new byte[] {1, 2, 3});
      long readOnly = res.map(Zircon.ZX_VM_PERM_READ(), res.vmo(page), 0, page);
      MemorySegment target = MemorySegment.ofAddress(readOnly).reinterpret(page);
      assertStatus(
          Zircon.zx_vmo_read(vmo, target, 0, 3), Zircon.ZX_ERR_ACCESS_DENIED(), "into read-only");
      assertThat(readMapped(readOnly, 3)).containsOnly(0);
      res.unmapOk(readOnly, page);
      assertStatus(Zircon.zx_vmo_read(vmo, target, 0, 3), Zircon.ZX_ERR_NOT_FOUND(), "unmapped");
    }
  }

  @Test
  void vmarZeroAndPrefetchAreRangeOpsWithTheirOwnRights() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      write(vmo, 0, new byte[] {9});
      long addr = res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, page);
      assertOk(
          Zircon.zx_vmar_op_range(
              root(), Zircon.ZX_VMAR_OP_PREFETCH(), addr, page, MemorySegment.NULL, 0),
          "PREFETCH");
      int readOnlyRoot = res.duplicate(root(), Zircon.ZX_RIGHT_READ());
      assertStatus(
          Zircon.zx_vmar_op_range(
              readOnlyRoot, Zircon.ZX_VMAR_OP_ZERO(), addr, page, MemorySegment.NULL, 0),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "ZERO without WRITE on the VMAR handle");
      assertOk(
          Zircon.zx_vmar_op_range(
              root(), Zircon.ZX_VMAR_OP_ZERO(), addr, page, MemorySegment.NULL, 0),
          "ZERO through a read-only mapping of a writable VMO");
      assertThat(read(vmo, 0, 1)).containsExactly(0);
    }
  }
}
