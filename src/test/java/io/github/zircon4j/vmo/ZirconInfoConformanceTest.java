package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.filled;
import static io.github.zircon4j.vmo.ZxTestSupport.handleBasic;
import static io.github.zircon4j.vmo.ZxTestSupport.koidOf;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.root;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoInfo;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.HandleBasic;
import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.vmo.ZxTestSupport.VmoInfo;
import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_handle_basic;
import io.github.zircon4j.zircon.zx_info_vmo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** zx_object_get_info: ZX_INFO_HANDLE_BASIC and ZX_INFO_VMO. */
class ZirconInfoConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  private static int paged() {
    return Zircon.ZX_INFO_VMO_TYPE_PAGED();
  }

  private static int viaHandle() {
    return Zircon.ZX_INFO_VMO_VIA_HANDLE();
  }

  @Test
  void handleBasicDescribesAVmo() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      HandleBasic info = handleBasic(vmo);
      assertThat(info.koid()).isGreaterThanOrEqualTo(Zircon.ZX_KOID_FIRST()).isEqualTo(koidOf(vmo));
      assertThat(info.type()).isEqualTo(Zircon.ZX_OBJ_TYPE_VMO());
      assertThat(info.rights()).isEqualTo(Zircon.ZX_DEFAULT_VMO_RIGHTS());
      assertThat(info.props()).isEqualTo(Zircon.ZX_OBJ_PROP_WAITABLE());
      assertThat(info.relatedKoid()).as("a VMO has no related object").isZero();
    }
  }

  @Test
  void handleBasicRelatedKoidOfAChildIsZero() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int snapshot = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      int slice = res.child(vmo, Zircon.ZX_VMO_CHILD_SLICE(), 0, pageSize());
      assertThat(handleBasic(snapshot).relatedKoid()).as("snapshot child").isZero();
      assertThat(handleBasic(slice).relatedKoid()).as("slice child").isZero();
      assertThat(vmoInfo(snapshot).parentKoid())
          .as("ZX_INFO_VMO names the parent")
          .isEqualTo(koidOf(vmo));
    }
  }

  @Test
  void handleBasicReportsTheRightsOfTheQueriedHandle() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int rights = Zircon.ZX_RIGHT_READ() | Zircon.ZX_RIGHT_INSPECT();
      int dup = res.duplicate(vmo, rights);
      assertThat(handleBasic(dup).rights()).isEqualTo(rights);
      assertThat(handleBasic(dup).koid()).isEqualTo(koidOf(vmo));
    }
  }

  @Test
  void distinctVmosHaveDistinctKoids() {
    try (var res = new Resources()) {
      long a = koidOf(res.vmo(pageSize()));
      long b = koidOf(res.vmo(pageSize()));
      assertThat(a).isNotEqualTo(b);
      assertThat(b).isGreaterThanOrEqualTo(Zircon.ZX_KOID_FIRST());
    }
  }

  @Test
  void handleBasicDescribesTheRootVmar() {
    HandleBasic info = handleBasic(root());
    assertThat(info.type()).isEqualTo(Zircon.ZX_OBJ_TYPE_VMAR());
    assertThat(info.koid()).isGreaterThanOrEqualTo(Zircon.ZX_KOID_FIRST());
  }

  @Test
  void handleBasicReportsOneRecordInActualAndAvail() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int vmo = res.vmo(pageSize());
      MemorySegment info = zx_info_handle_basic.allocate(arena);
      MemorySegment actual = arena.allocate(ValueLayout.JAVA_LONG);
      MemorySegment avail = arena.allocate(ValueLayout.JAVA_LONG);
      actual.set(ValueLayout.JAVA_LONG, 0, 99);
      avail.set(ValueLayout.JAVA_LONG, 0, 99);
      assertOk(
          Zircon.zx_object_get_info(
              vmo,
              Zircon.ZX_INFO_HANDLE_BASIC(),
              info,
              zx_info_handle_basic.sizeof(),
              actual,
              avail),
          "get_info");
      assertThat(actual.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(1);
      assertThat(avail.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(1);
    }
  }

  @Test
  void vmoInfoDescribesAPlainVmo() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page - 1);
      VmoInfo info = vmoInfo(vmo);
      assertThat(info.koid()).isEqualTo(koidOf(vmo));
      assertThat(info.sizeBytes()).isEqualTo(2 * page);
      assertThat(info.parentKoid()).isZero();
      assertThat(info.numChildren()).isZero();
      assertThat(info.numMappings()).isZero();
      assertThat(info.flags()).isEqualTo(paged() | viaHandle());
      assertThat(info.handleRights()).isEqualTo(Zircon.ZX_DEFAULT_VMO_RIGHTS());
      assertThat(info.cachePolicy()).isEqualTo(Zircon.ZX_CACHE_POLICY_CACHED());
    }
  }

  @Test
  void vmoInfoFlagsAResizableVmo() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize(), Zircon.ZX_VMO_RESIZABLE());
      assertThat(vmoInfo(vmo).flags())
          .isEqualTo(paged() | viaHandle() | Zircon.ZX_INFO_VMO_RESIZABLE());
    }
  }

  @Test
  void vmoInfoReportsTheRightsOfTheQueriedHandle() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int rights = Zircon.ZX_RIGHT_READ() | Zircon.ZX_RIGHT_MAP() | Zircon.ZX_RIGHT_INSPECT();
      int dup = res.duplicate(vmo, rights);
      assertThat(vmoInfo(dup).handleRights()).isEqualTo(rights);
      assertThat(vmoInfo(dup).koid()).isEqualTo(koidOf(vmo));
    }
  }

  @Test
  void vmoInfoTracksTheSizeAfterSetSize() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize(), Zircon.ZX_VMO_RESIZABLE());
      assertOk(Zircon.zx_vmo_set_size(vmo, 3 * pageSize()), "set_size");
      assertThat(vmoInfo(vmo).sizeBytes()).isEqualTo(3 * pageSize());
    }
  }

  @Test
  void vmoInfoCountsLiveChildren() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int a = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      assertThat(vmoInfo(vmo).numChildren()).isEqualTo(1);
      int b = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, pageSize());
      assertThat(vmoInfo(vmo).numChildren()).isEqualTo(2);
      assertThat(vmoInfo(a).numChildren()).isZero();
      res.closeOk(a);
      assertThat(vmoInfo(vmo).numChildren()).isEqualTo(1);
      res.closeOk(b);
      assertThat(vmoInfo(vmo).numChildren()).isZero();
    }
  }

  @Test
  void vmoInfoCountsAChildKeptAliveByAMapping() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      int child =
          res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT() | Zircon.ZX_VMO_CHILD_NO_WRITE(), 0, page);
      long addr = res.map(Zircon.ZX_VM_PERM_READ(), child, 0, page);
      res.closeOk(child);
      assertThat(vmoInfo(vmo).numChildren()).isEqualTo(1);
      res.unmapOk(addr, page);
      assertThat(vmoInfo(vmo).numChildren()).isZero();
    }
  }

  @Test
  void vmoInfoCountsMappings() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      long a = res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, 2 * page);
      assertThat(vmoInfo(vmo).numMappings()).isEqualTo(1);
      long b = res.map(Zircon.ZX_VM_PERM_READ(), vmo, page, page);
      assertThat(vmoInfo(vmo).numMappings()).isEqualTo(2);
      res.unmapOk(a, 2 * page);
      assertThat(vmoInfo(vmo).numMappings()).isEqualTo(1);
      res.unmapOk(b, page);
      assertThat(vmoInfo(vmo).numMappings()).isZero();
    }
  }

  @Test
  void shareCountIsOneWithinASingleAddressSpace() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page);
      assertThat(vmoInfo(vmo).shareCount()).as("unmapped").isEqualTo(1);
      res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, page);
      assertThat(vmoInfo(vmo).shareCount()).as("mapped once").isEqualTo(1);
      res.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, page);
      assertThat(vmoInfo(vmo).shareCount()).as("mapped twice, same process").isEqualTo(1);
    }
  }

  @Test
  void aFreshVmoCommitsNothing() {
    try (var res = new Resources()) {
      int vmo = res.vmo(4 * pageSize());
      assertThat(vmoInfo(vmo).committedBytes()).isZero();
    }
  }

  @Test
  void writingOnePageCommitsExactlyOnePage() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(4 * page);
      write(vmo, page, filled((int) page, 0x12));
      assertThat(vmoInfo(vmo).committedBytes()).isEqualTo(page);
    }
  }

  @Test
  void aSnapshotChildCommitsNothingUntilWrittenThenExactlyThePagesWritten() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(4 * page);
      int child = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, 4 * page);
      assertThat(vmoInfo(child).committedBytes()).as("unwritten child").isZero();
      write(child, 2 * page, filled((int) page, 0x21));
      assertThat(vmoInfo(child).committedBytes()).as("after writing one page").isEqualTo(page);
    }
  }

  @Test
  void aSnapshotChildCommitsOnlyThePagesItWritesOverTheParentsData() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(4 * page);
      write(vmo, 0, filled((int) (4 * page), 0x5f));
      int child = res.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, 4 * page);
      write(child, page, filled((int) page, 0x21));
      assertThat(vmoInfo(child).committedBytes()).as("one page copied").isEqualTo(page);
    }
  }

  @Test
  void aTooSmallBufferIsBufferTooSmall() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int vmo = res.vmo(pageSize());
      MemorySegment buffer = arena.allocate(zx_info_vmo.sizeof());
      assertStatus(
          Zircon.zx_object_get_info(
              vmo,
              Zircon.ZX_INFO_HANDLE_BASIC(),
              buffer,
              zx_info_handle_basic.sizeof() - 1,
              MemorySegment.NULL,
              MemorySegment.NULL),
          Zircon.ZX_ERR_BUFFER_TOO_SMALL(),
          "HANDLE_BASIC with a short buffer");
      assertStatus(
          Zircon.zx_object_get_info(
              vmo,
              Zircon.ZX_INFO_VMO(),
              buffer,
              zx_info_vmo.sizeof() - 8,
              MemorySegment.NULL,
              MemorySegment.NULL),
          Zircon.ZX_ERR_BUFFER_TOO_SMALL(),
          "VMO with a short buffer");
    }
  }

  @Test
  void anUnknownTopicIsNotSupported() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int vmo = res.vmo(pageSize());
      MemorySegment buffer = arena.allocate(256);
      assertStatus(
          Zircon.zx_object_get_info(
              vmo, 0x0FFF_0001, buffer, buffer.byteSize(), MemorySegment.NULL, MemorySegment.NULL),
          Zircon.ZX_ERR_NOT_SUPPORTED(),
          "topic 0x0FFF0001");
    }
  }

  @Test
  void theVmoTopicOnTheRootVmarIsWrongType() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = zx_info_vmo.allocate(arena);
      assertStatus(
          Zircon.zx_object_get_info(
              root(),
              Zircon.ZX_INFO_VMO(),
              buffer,
              zx_info_vmo.sizeof(),
              MemorySegment.NULL,
              MemorySegment.NULL),
          Zircon.ZX_ERR_WRONG_TYPE(),
          "ZX_INFO_VMO on a VMAR");
    }
  }

  @Test
  void getInfoOnAClosedHandleIsBadHandle() {
    try (var res = new Resources();
        Arena arena = Arena.ofConfined()) {
      int vmo = res.vmo(pageSize());
      res.closeOk(vmo);
      MemorySegment buffer = zx_info_vmo.allocate(arena);
      assertStatus(
          Zircon.zx_object_get_info(
              vmo,
              Zircon.ZX_INFO_VMO(),
              buffer,
              zx_info_vmo.sizeof(),
              MemorySegment.NULL,
              MemorySegment.NULL),
          Zircon.ZX_ERR_BAD_HANDLE(),
          "ZX_INFO_VMO on a closed handle");
    }
  }
}
