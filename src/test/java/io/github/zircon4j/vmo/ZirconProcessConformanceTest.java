package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.handleBasic;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_maps;
import io.github.zircon4j.zircon.zx_info_maps_mapping;
import io.github.zircon4j.zircon.zx_info_process_handle_stats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The task accessors and ZX_INFO_PROCESS_HANDLE_STATS through the bindings: what a handle-leak
 * check in a test framework relies on (the record's layout and that it follows every handle the
 * library opens and closes). The C suite (conformance_process.c) pins the check order.
 */
class ZirconProcessConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  private static int[] handleCounts() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(zx_info_process_handle_stats.layout());
      MemorySegment actual = arena.allocate(ValueLayout.JAVA_LONG);
      assertOk(
          Zircon.zx_object_get_info(
              Zircon.zx_process_self(),
              Zircon.ZX_INFO_PROCESS_HANDLE_STATS(),
              info,
              info.byteSize(),
              actual,
              MemorySegment.NULL),
          "ZX_INFO_PROCESS_HANDLE_STATS");
      assertThat(actual.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(1);
      int[] counts = new int[Zircon.ZX_OBJ_TYPE_UPPER_BOUND()];
      for (int type = 0; type < counts.length; type++) {
        counts[type] = zx_info_process_handle_stats.handle_count(info, type);
      }
      return counts;
    }
  }

  @Test
  void theTaskAccessorsNameThisProcessItsJobAndTheCallingThread() {
    int process = Zircon.zx_process_self();
    assertThat(handleBasic(process).type()).isEqualTo(Zircon.ZX_OBJ_TYPE_PROCESS());
    assertThat(handleBasic(process).rights()).isEqualTo(Zircon.ZX_DEFAULT_PROCESS_RIGHTS());
    assertThat(handleBasic(process).relatedKoid())
        .isEqualTo(handleBasic(Zircon.zx_job_default()).koid());
    assertThat(handleBasic(Zircon.zx_thread_self()).relatedKoid())
        .isEqualTo(handleBasic(process).koid());
    assertThat(zx_info_process_handle_stats.sizeof()).isEqualTo(4L * 64);
  }

  @Test
  void handleStatsFollowTheHandlesATestOpensAndCloses() {
    int[] before = handleCounts();
    int vmoType = Zircon.ZX_OBJ_TYPE_VMO();
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      res.duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
      int[] during = handleCounts();
      assertThat(during[vmoType]).isEqualTo(before[vmoType] + 2);
    }
    assertThat(handleCounts()).isEqualTo(before);
  }

  @Test
  void handleStatsNeedAProcessHandleWithInspect() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(zx_info_process_handle_stats.layout());
      int topic = Zircon.ZX_INFO_PROCESS_HANDLE_STATS();
      int vmo = res.vmo(pageSize());
      assertStatus(
          Zircon.zx_object_get_info(
              vmo, topic, info, info.byteSize(), MemorySegment.NULL, MemorySegment.NULL),
          Zircon.ZX_ERR_WRONG_TYPE(),
          "on a VMO");
      int blind = res.duplicate(Zircon.zx_process_self(), Zircon.ZX_RIGHT_READ());
      assertStatus(
          Zircon.zx_object_get_info(
              blind, topic, info, info.byteSize(), MemorySegment.NULL, MemorySegment.NULL),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "without INSPECT");
    }
  }

  @Test
  void processMemoryReadsThroughAMappingAndReportsTheBytesCopied() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      ZxTestSupport.write(vmo, page - 2, new byte[] {5, 6});
      long addr = res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, page);
      MemorySegment buffer = arena.allocate(8);
      MemorySegment actual = arena.allocate(ValueLayout.JAVA_LONG);
      assertOk(
          Zircon.zx_process_read_memory(
              Zircon.zx_process_self(), addr + page - 2, buffer, 8, actual),
          "read across the mapping's end");
      assertThat(actual.get(ValueLayout.JAVA_LONG, 0)).as("cut at the mapping's end").isEqualTo(2);
      assertThat(buffer.asSlice(0, 2).toArray(ValueLayout.JAVA_BYTE)).containsExactly(5, 6);
    }
  }

  @Test
  void systemFeaturesAndCacheFlushAnswerThroughTheBindings() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment features = arena.allocate(ValueLayout.JAVA_INT);
      assertOk(Zircon.zx_system_get_features(Zircon.ZX_FEATURE_KIND_VM(), features), "VM kind");
      assertThat(features.get(ValueLayout.JAVA_INT, 0) & Zircon.ZX_VM_FEATURE_CAN_MAP_XOM())
          .isZero();
      assertStatus(
          Zircon.zx_cache_flush(features, 4, Zircon.ZX_CACHE_FLUSH_INVALIDATE()),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "INVALIDATE without DATA");
      assertOk(Zircon.zx_cache_flush(features, 4, Zircon.ZX_CACHE_FLUSH_DATA()), "DATA");
    }
  }

  @Test
  void aCreatedProcessHasARootVmarOfItsOwnThatEndsWithIt() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      MemorySegment proc = arena.allocate(ValueLayout.JAVA_INT);
      MemorySegment vmar = arena.allocate(ValueLayout.JAVA_INT);
      MemorySegment name = arena.allocateFrom("p");
      assertOk(
          Zircon.zx_process_create(Zircon.zx_job_default(), name, 1, 0, proc, vmar),
          "zx_process_create");
      int process = res.own(proc.get(ValueLayout.JAVA_INT, 0));
      int root = res.own(vmar.get(ValueLayout.JAVA_INT, 0));
      int vmo = res.vmo(pageSize());
      MemorySegment addr = arena.allocate(ValueLayout.JAVA_LONG);
      assertOk(
          Zircon.zx_vmar_map(root, Zircon.ZX_VM_PERM_READ(), 0, vmo, 0, pageSize(), addr),
          "map into the other address space");
      assertThat(ZxTestSupport.vmoInfo(vmo).numMappings()).isEqualTo(1);
      res.closeOk(process);
      assertThat(ZxTestSupport.vmoInfo(vmo).numMappings()).as("unmapped with it").isZero();
      assertStatus(
          Zircon.zx_vmar_map(root, Zircon.ZX_VM_PERM_READ(), 0, vmo, 0, pageSize(), addr),
          Zircon.ZX_ERR_BAD_STATE(),
          "its root VMAR after it ended");
    }
  }

  @Test
  void processMapsRecordsDecodeThroughTheBindings() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int vmo = res.vmo(pageSize());
      long addr = res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, pageSize());
      MemorySegment count = arena.allocate(ValueLayout.JAVA_LONG);
      MemorySegment avail = arena.allocate(ValueLayout.JAVA_LONG);
      int self = Zircon.zx_process_self();
      int topic = Zircon.ZX_INFO_PROCESS_MAPS();
      assertOk(Zircon.zx_object_get_info(self, topic, MemorySegment.NULL, 0, count, avail), "n");
      long n = avail.get(ValueLayout.JAVA_LONG, 0) + 4;
      MemorySegment maps = arena.allocate(zx_info_maps.layout(), n);
      assertOk(Zircon.zx_object_get_info(self, topic, maps, maps.byteSize(), count, avail), "maps");
      assertThat(zx_info_maps.sizeof()).isEqualTo(96);
      long vmoKoid = ZxTestSupport.vmoInfo(vmo).koid();
      long found = 0;
      for (long i = 0; i < count.get(ValueLayout.JAVA_LONG, 0); i++) {
        MemorySegment record = zx_info_maps.asSlice(maps, i);
        if (zx_info_maps.type(record) != Zircon.ZX_INFO_MAPS_TYPE_MAPPING()
            || zx_info_maps.base(record) != addr) {
          continue;
        }
        MemorySegment mapping = zx_info_maps.u.mapping(zx_info_maps.u(record));
        assertThat(zx_info_maps_mapping.vmo_koid(mapping)).isEqualTo(vmoKoid);
        assertThat(zx_info_maps_mapping.mmu_flags(mapping)).isEqualTo(Zircon.ZX_VM_PERM_READ());
        found++;
      }
      assertThat(found).as("the test's mapping is listed once").isEqualTo(1);
    }
  }
}
