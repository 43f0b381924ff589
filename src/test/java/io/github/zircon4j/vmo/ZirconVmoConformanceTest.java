package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.filled;
import static io.github.zircon4j.vmo.ZxTestSupport.opRange;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.pattern;
import static io.github.zircon4j.vmo.ZxTestSupport.rawCreateVmo;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.readStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.rightsOf;
import static io.github.zircon4j.vmo.ZxTestSupport.root;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoSize;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static io.github.zircon4j.vmo.ZxTestSupport.writeStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.HandleResult;
import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** VMO creation, size, read/write bounds and rights, resizing (zx_vmo_*). */
class ZirconVmoConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  @Test
  void decommitRunningPastTheEndIsTrimmedToTheEnd() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      write(vmo, 0, filled((int) (2 * page), 0x3c));
      assertOk(opRange(vmo, Zircon.ZX_VMO_OP_DECOMMIT(), page, 4 * page), "DECOMMIT");
      assertThat(read(vmo, 0, (int) page)).containsOnly(0x3c);
      assertThat(read(vmo, page, (int) page)).containsOnly(0);
      assertOk(opRange(vmo, Zircon.ZX_VMO_OP_DECOMMIT(), 2 * page, page), "DECOMMIT at the end");
    }
  }

  @Test
  void decommitStartingPastTheEndIsOutOfRange() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      assertStatus(
          opRange(vmo, Zircon.ZX_VMO_OP_DECOMMIT(), 3 * page, page),
          Zircon.ZX_ERR_OUT_OF_RANGE(),
          "DECOMMIT from page 3 of 2");
    }
  }

  @Test
  void pageSizeIsAPowerOfTwoOfAtLeast4KiB() {
    long page = pageSize();
    assertThat(page).isGreaterThanOrEqualTo(4096);
    assertThat(Long.bitCount(page)).isEqualTo(1);
    assertThat(pageSize()).as("constant").isEqualTo(page);
  }

  @Test
  void aNewVmoHasTheDefaultVmoRights() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertThat(Zircon.ZX_DEFAULT_VMO_RIGHTS()).isEqualTo(0xD0EF);
      assertThat(rightsOf(vmo)).isEqualTo(0xD0EF);
    }
  }

  @ParameterizedTest(name = "{0} pages {1} byte(s)")
  @CsvSource({
    "0,0", "0,1", "1,-1", "1,0", "1,1", "2,-1", "2,0", "2,1", "3,-1", "3,0", "3,1", "4,-1", "4,0",
    "4,1"
  })
  void createRoundsTheSizeUpToWholePages(int pages, int delta) {
    long size = pages * pageSize() + delta;
    long expected = (size + pageSize() - 1) / pageSize() * pageSize();
    try (var res = new Resources()) {
      int vmo = res.vmo(size);
      assertThat(vmoSize(vmo)).as("size of a VMO created with %d bytes", size).isEqualTo(expected);
    }
  }

  @Test
  void aNewVmoReadsAsZeros() {
    try (var res = new Resources()) {
      int vmo = res.vmo(2 * pageSize());
      assertThat(read(vmo, 0, (int) (2 * pageSize()))).containsOnly(0);
    }
  }

  @Test
  void writeThenReadRoundTripsAtAnyOffset() {
    try (var res = new Resources()) {
      int vmo = res.vmo(2 * pageSize());
      byte[] data = pattern(100, 42);
      long offset = pageSize() - 37; // straddles the page boundary
      write(vmo, offset, data);
      assertThat(read(vmo, offset, data.length)).isEqualTo(data);
      assertThat(read(vmo, 0, (int) offset)).containsOnly(0);
    }
  }

  @Test
  void accessPastTheEndIsOutOfRange() {
    try (var res = new Resources()) {
      long size = pageSize();
      int vmo = res.vmo(size);
      assertStatus(readStatus(vmo, size - 1, 2), Zircon.ZX_ERR_OUT_OF_RANGE(), "read [size-1,+2)");
      assertStatus(
          writeStatus(vmo, size - 1, new byte[2]),
          Zircon.ZX_ERR_OUT_OF_RANGE(),
          "write [size-1,+2)");
      assertStatus(readStatus(vmo, size, 1), Zircon.ZX_ERR_OUT_OF_RANGE(), "read [size,+1)");
      assertStatus(readStatus(vmo, 0, size + 1), Zircon.ZX_ERR_OUT_OF_RANGE(), "read [0,size+1)");
    }
  }

  @Test
  void accessPastTheEndIsNotTruncated() {
    try (var res = new Resources()) {
      long size = pageSize();
      int vmo = res.vmoWith(size, filled((int) size, 0x5a));
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment buffer = arena.allocate(8);
        buffer.fill((byte) 0x11);
        assertStatus(
            Zircon.zx_vmo_read(vmo, buffer, size - 4, 8), Zircon.ZX_ERR_OUT_OF_RANGE(), "read");
        // All or nothing: writing past the end leaves the in-range part untouched.
        assertStatus(
            Zircon.zx_vmo_write(vmo, buffer, size - 4, 8), Zircon.ZX_ERR_OUT_OF_RANGE(), "write");
      }
      assertThat(read(vmo, size - 4, 4)).containsOnly(0x5a);
    }
  }

  @Test
  void zeroLengthAccessAtTheEndIsOk() {
    try (var res = new Resources()) {
      long size = pageSize();
      int vmo = res.vmo(size);
      assertOk(readStatus(vmo, size, 0), "read len 0 at size");
      assertOk(writeStatus(vmo, size, new byte[0]), "write len 0 at size");
    }
  }

  @Test
  void zeroLengthAccessPastTheEndIsOutOfRange() {
    try (var res = new Resources()) {
      long size = pageSize();
      int vmo = res.vmo(size);
      assertStatus(readStatus(vmo, size + 1, 0), Zircon.ZX_ERR_OUT_OF_RANGE(), "read len 0");
      assertStatus(
          writeStatus(vmo, size + 1, new byte[0]), Zircon.ZX_ERR_OUT_OF_RANGE(), "write len 0");
    }
  }

  @Test
  void anOffsetPlusLengthThatOverflowsIsOutOfRange() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      long nearMax = -2L; // 0xFFFF_FFFF_FFFF_FFFE
      assertStatus(readStatus(vmo, nearMax, 4), Zircon.ZX_ERR_OUT_OF_RANGE(), "read overflow");
      assertStatus(
          writeStatus(vmo, nearMax, new byte[4]), Zircon.ZX_ERR_OUT_OF_RANGE(), "write overflow");
    }
  }

  @Test
  void readWithoutTheReadRightIsAccessDenied() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noRead = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_READ());
      assertStatus(readStatus(noRead, 0, 1), Zircon.ZX_ERR_ACCESS_DENIED(), "read");
      assertOk(writeStatus(noRead, 0, new byte[] {1}), "write needs only WRITE");
    }
  }

  @Test
  void writeWithoutTheWriteRightIsAccessDenied() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noWrite = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_WRITE());
      assertStatus(writeStatus(noWrite, 0, new byte[] {1}), Zircon.ZX_ERR_ACCESS_DENIED(), "write");
      assertThat(read(vmo, 0, 1)).containsExactly(0);
      assertOk(readStatus(noWrite, 0, 1), "read needs only READ");
    }
  }

  @Test
  void vmoCallsOnAVmarHandleAreWrongType() {
    int vmar = root();
    assertStatus(readStatus(vmar, 0, 1), Zircon.ZX_ERR_WRONG_TYPE(), "zx_vmo_read(vmar)");
    assertStatus(
        writeStatus(vmar, 0, new byte[] {1}), Zircon.ZX_ERR_WRONG_TYPE(), "zx_vmo_write(vmar)");
    try (Arena arena = Arena.ofConfined()) {
      assertStatus(
          Zircon.zx_vmo_get_size(vmar, arena.allocate(ValueLayout.JAVA_LONG)),
          Zircon.ZX_ERR_WRONG_TYPE(),
          "zx_vmo_get_size(vmar)");
    }
    assertStatus(
        Zircon.zx_vmo_set_size(vmar, pageSize()),
        Zircon.ZX_ERR_WRONG_TYPE(),
        "zx_vmo_set_size(vmar)");
  }

  @Test
  void vmoCallsOnAClosedHandleAreBadHandle() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      res.closeOk(vmo);
      assertStatus(readStatus(vmo, 0, 1), Zircon.ZX_ERR_BAD_HANDLE(), "read");
      assertStatus(writeStatus(vmo, 0, new byte[] {1}), Zircon.ZX_ERR_BAD_HANDLE(), "write");
      try (Arena arena = Arena.ofConfined()) {
        assertStatus(
            Zircon.zx_vmo_get_size(vmo, arena.allocate(ValueLayout.JAVA_LONG)),
            Zircon.ZX_ERR_BAD_HANDLE(),
            "get_size");
      }
    }
  }

  @Test
  void createWithUnknownOptionsIsInvalidArgs() {
    try (var res = new Resources()) {
      for (int options : new int[] {1, 1 << 30, 0x80000000}) {
        HandleResult r = rawCreateVmo(pageSize(), options);
        if (r.status() == Zircon.ZX_OK()) {
          res.own(r.handle());
        }
        assertStatus(
            r.status(),
            Zircon.ZX_ERR_INVALID_ARGS(),
            "zx_vmo_create options 0x" + Integer.toHexString(options));
      }
    }
  }

  @Test
  void createIntoANullOutPointerIsInvalidArgs() {
    assertStatus(
        Zircon.zx_vmo_create(pageSize(), 0, MemorySegment.NULL),
        Zircon.ZX_ERR_INVALID_ARGS(),
        "zx_vmo_create(out=NULL)");
  }

  @Test
  void setSizeOnANonResizableVmoIsUnavailable() {
    try (var res = new Resources()) {
      int vmo = res.vmo(2 * pageSize());
      assertStatus(
          Zircon.zx_vmo_set_size(vmo, 4 * pageSize()), Zircon.ZX_ERR_UNAVAILABLE(), "grow");
      assertStatus(Zircon.zx_vmo_set_size(vmo, pageSize()), Zircon.ZX_ERR_UNAVAILABLE(), "shrink");
      assertThat(vmoSize(vmo)).isEqualTo(2 * pageSize());
    }
  }

  @Test
  void growingAResizableVmoKeepsDataAndAddsZeros() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(page, Zircon.ZX_VMO_RESIZABLE());
      byte[] data = pattern((int) page, 9);
      write(vmo, 0, data);
      assertOk(Zircon.zx_vmo_set_size(vmo, 3 * page), "grow");
      assertThat(vmoSize(vmo)).isEqualTo(3 * page);
      assertThat(read(vmo, 0, (int) page)).isEqualTo(data);
      assertThat(read(vmo, page, (int) (2 * page))).containsOnly(0);
      write(vmo, 3 * page - 1, new byte[] {7});
    }
  }

  @Test
  void shrinkingAResizableVmoBoundsAccessAndRegrowingShowsZeros() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(3 * page, Zircon.ZX_VMO_RESIZABLE());
      write(vmo, 0, filled((int) (3 * page), 0x33));
      assertOk(Zircon.zx_vmo_set_size(vmo, page), "shrink");
      assertThat(vmoSize(vmo)).isEqualTo(page);
      assertStatus(readStatus(vmo, page, 1), Zircon.ZX_ERR_OUT_OF_RANGE(), "read past new end");
      assertThat(read(vmo, 0, (int) page)).containsOnly(0x33);
      assertOk(Zircon.zx_vmo_set_size(vmo, 3 * page), "regrow");
      assertThat(read(vmo, page, (int) (2 * page))).as("bytes beyond the shrink").containsOnly(0);
    }
  }

  @Test
  void setSizeRoundsUpToAPageAndZeroesTheTail() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page, Zircon.ZX_VMO_RESIZABLE());
      write(vmo, 0, filled((int) (2 * page), 0x44));
      assertOk(Zircon.zx_vmo_set_size(vmo, page + 1), "set_size(page+1)");
      assertThat(vmoSize(vmo)).isEqualTo(2 * page);
      assertThat(read(vmo, 0, (int) page + 1)).containsOnly(0x44);
      assertThat(read(vmo, page + 1, (int) page - 1)).as("tail of the last page").containsOnly(0);
    }
  }

  @Test
  void setSizeWithoutTheWriteRightIsAccessDenied() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize(), Zircon.ZX_VMO_RESIZABLE());
      int noWrite = res.duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
      noWrite = replaceWithout(res, noWrite, Zircon.ZX_RIGHT_WRITE());
      assertStatus(
          Zircon.zx_vmo_set_size(noWrite, 2 * pageSize()), Zircon.ZX_ERR_ACCESS_DENIED(), "grow");
      assertThat(vmoSize(vmo)).isEqualTo(pageSize());
    }
  }

  @Test
  void setSizeToAnImpossibleSizeIsOutOfRange() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize(), Zircon.ZX_VMO_RESIZABLE());
      assertStatus(Zircon.zx_vmo_set_size(vmo, -1L), Zircon.ZX_ERR_OUT_OF_RANGE(), "UINT64_MAX");
      assertThat(vmoSize(vmo)).isEqualTo(pageSize());
    }
  }

  /** Replaces {@code handle} with one lacking {@code right}, keeping all its other rights. */
  private static int replaceWithout(Resources res, int handle, int right) {
    HandleResult r = res.tryReplace(handle, rightsOf(handle) & ~right);
    assertOk(r.status(), "zx_handle_replace");
    return r.handle();
  }
}
