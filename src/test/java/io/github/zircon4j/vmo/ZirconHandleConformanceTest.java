package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.assertStatus;
import static io.github.zircon4j.vmo.ZxTestSupport.handleBasic;
import static io.github.zircon4j.vmo.ZxTestSupport.koidOf;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.pattern;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.rightsOf;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.HandleResult;
import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Handle lifecycle: values, close, duplicate, replace (zx_handle_*). */
class ZirconHandleConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  private static int handleValid(int handle) {
    return Zircon.zx_object_get_info(
        handle,
        Zircon.ZX_INFO_HANDLE_VALID(),
        MemorySegment.NULL,
        0,
        MemorySegment.NULL,
        MemorySegment.NULL);
  }

  @Test
  void handleValuesAreNonZeroWithTheLowTwoBitsSet() {
    try (var res = new Resources()) {
      Set<Integer> seen = new HashSet<>();
      for (int i = 0; i < 16; i++) {
        int h = res.vmo(pageSize());
        assertThat(h).isNotEqualTo(Zircon.ZX_HANDLE_INVALID());
        assertThat(h & Zircon.ZX_HANDLE_FIXED_BITS_MASK())
            .as("low bits of handle 0x%x", h)
            .isEqualTo(Zircon.ZX_HANDLE_FIXED_BITS_MASK());
        assertThat(seen.add(h)).as("live handles are distinct (0x%x repeated)", h).isTrue();
      }
    }
  }

  @Test
  void aClosedHandleValueIsNotImmediatelyReused() {
    try (var res = new Resources()) {
      List<Integer> closed = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        int h = res.vmo(pageSize());
        if (!closed.isEmpty()) {
          assertThat(h)
              .as("new handle after closing 0x%x", closed.getLast())
              .isNotEqualTo(closed.getLast());
        }
        res.closeOk(h);
        closed.add(h);
      }
    }
  }

  @Test
  void closingTheInvalidHandleIsOk() {
    assertOk(Zircon.zx_handle_close(Zircon.ZX_HANDLE_INVALID()), "zx_handle_close(INVALID)");
  }

  @Test
  void closingAClosedHandleIsBadHandle() {
    try (var res = new Resources()) {
      int h = res.vmo(pageSize());
      assertOk(res.close(h), "first close");
      assertStatus(Zircon.zx_handle_close(h), Zircon.ZX_ERR_BAD_HANDLE(), "second close");
    }
  }

  @Test
  void closingANeverIssuedHandleIsBadHandle() {
    // Low bits clear: can never be a valid handle value.
    assertStatus(Zircon.zx_handle_close(0x4), Zircon.ZX_ERR_BAD_HANDLE(), "close(0x4)");
    // A value with the fixed bits set that this process has (almost surely) never been issued.
    assertThat(handleValid(0x7ffffff3))
        .as("precondition: 0x7ffffff3 is not a live handle")
        .isEqualTo(Zircon.ZX_ERR_BAD_HANDLE());
    assertStatus(
        Zircon.zx_handle_close(0x7ffffff3), Zircon.ZX_ERR_BAD_HANDLE(), "close(0x7ffffff3)");
  }

  @Test
  void handleValidTopicReportsLiveAndClosedHandles() {
    try (var res = new Resources()) {
      int h = res.vmo(pageSize());
      assertOk(handleValid(h), "HANDLE_VALID on a live handle");
      res.closeOk(h);
      assertStatus(handleValid(h), Zircon.ZX_ERR_BAD_HANDLE(), "HANDLE_VALID on a closed handle");
    }
  }

  @Test
  void duplicateWithSameRightsKeepsRightsAndObject() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int dup = res.duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
      assertThat(dup).isNotEqualTo(vmo);
      assertThat(rightsOf(dup)).isEqualTo(rightsOf(vmo));
      assertThat(koidOf(dup)).isEqualTo(koidOf(vmo));
      byte[] data = pattern(32, 7);
      write(vmo, 0, data);
      assertThat(read(dup, 0, data.length)).isEqualTo(data);
    }
  }

  @Test
  void duplicateWithARightsSubsetHasExactlyThoseRights() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int subset =
          Zircon.ZX_RIGHT_READ()
              | Zircon.ZX_RIGHT_MAP()
              | Zircon.ZX_RIGHT_DUPLICATE()
              | Zircon.ZX_RIGHT_INSPECT();
      int dup = res.duplicate(vmo, subset);
      assertThat(rightsOf(dup)).isEqualTo(subset);
      assertThat(koidOf(dup)).isEqualTo(koidOf(vmo));
      assertThat(rightsOf(vmo))
          .as("the source keeps its rights")
          .isEqualTo(Zircon.ZX_DEFAULT_VMO_RIGHTS());
    }
  }

  @Test
  void duplicateWithNoRightsIsAllowed() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int dup = res.duplicate(vmo, Zircon.ZX_RIGHT_NONE());
      assertThat(rightsOf(dup)).isEqualTo(Zircon.ZX_RIGHT_NONE());
    }
  }

  @Test
  void duplicateWithRightsNotASubsetIsInvalidArgs() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertStatus(
          res.tryDuplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() | Zircon.ZX_RIGHT_EXECUTE())
              .status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "duplicate adding EXECUTE");
      int limited = res.duplicate(vmo, Zircon.ZX_RIGHT_DUPLICATE() | Zircon.ZX_RIGHT_READ());
      assertStatus(
          res.tryDuplicate(limited, Zircon.ZX_RIGHT_READ() | Zircon.ZX_RIGHT_WRITE()).status(),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "duplicate adding WRITE");
    }
  }

  @Test
  void duplicateWithoutTheDuplicateRightIsAccessDenied() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noDup = res.duplicate(vmo, Zircon.ZX_DEFAULT_VMO_RIGHTS() & ~Zircon.ZX_RIGHT_DUPLICATE());
      assertStatus(
          res.tryDuplicate(noDup, Zircon.ZX_RIGHT_SAME_RIGHTS()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "duplicate(SAME_RIGHTS) without DUPLICATE");
      assertStatus(
          res.tryDuplicate(noDup, Zircon.ZX_RIGHT_READ()).status(),
          Zircon.ZX_ERR_ACCESS_DENIED(),
          "duplicate(READ) without DUPLICATE");
    }
  }

  @Test
  void duplicateOfABadHandleIsBadHandle() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      res.closeOk(vmo);
      assertStatus(
          res.tryDuplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS()).status(),
          Zircon.ZX_ERR_BAD_HANDLE(),
          "duplicate of a closed handle");
    }
  }

  @Test
  void duplicateIntoANullOutPointerIsInvalidArgs() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      assertStatus(
          Zircon.zx_handle_duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS(), MemorySegment.NULL),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "duplicate into NULL");
      assertOk(handleValid(vmo), "the source is still valid");
    }
  }

  @Test
  void aDuplicateOutlivesTheOriginalHandle() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      byte[] data = pattern(64, 3);
      write(vmo, 0, data);
      int dup = res.duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
      res.closeOk(vmo);
      assertThat(read(dup, 0, data.length)).isEqualTo(data);
    }
  }

  @Test
  void replaceWithARightsSubsetInvalidatesTheOriginal() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      long koid = koidOf(vmo);
      int subset = Zircon.ZX_RIGHT_READ() | Zircon.ZX_RIGHT_MAP() | Zircon.ZX_RIGHT_INSPECT();
      HandleResult r = res.tryReplace(vmo, subset);
      assertOk(r.status(), "replace");
      assertThat(r.handle()).isNotEqualTo(Zircon.ZX_HANDLE_INVALID());
      assertThat(handleBasic(r.handle()).rights()).isEqualTo(subset);
      assertThat(handleBasic(r.handle()).koid()).isEqualTo(koid);
      assertStatus(handleValid(vmo), Zircon.ZX_ERR_BAD_HANDLE(), "the replaced handle");
    }
  }

  @Test
  void replaceWithSameRightsKeepsRights() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      HandleResult r = res.tryReplace(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
      assertOk(r.status(), "replace(SAME_RIGHTS)");
      assertThat(rightsOf(r.handle())).isEqualTo(Zircon.ZX_DEFAULT_VMO_RIGHTS());
      assertStatus(handleValid(vmo), Zircon.ZX_ERR_BAD_HANDLE(), "the replaced handle");
    }
  }

  @Test
  void replaceDoesNotNeedTheDuplicateRight() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int noDup = res.duplicate(vmo, Zircon.ZX_RIGHT_READ() | Zircon.ZX_RIGHT_INSPECT());
      HandleResult r = res.tryReplace(noDup, Zircon.ZX_RIGHT_READ());
      assertOk(r.status(), "replace without DUPLICATE");
      assertThat(rightsOf(r.handle())).isEqualTo(Zircon.ZX_RIGHT_READ());
    }
  }

  @Test
  void replaceWithRightsNotASubsetFailsButStillInvalidatesTheOriginal() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int limited = res.duplicate(vmo, Zircon.ZX_RIGHT_READ() | Zircon.ZX_RIGHT_DUPLICATE());
      HandleResult r = res.tryReplace(limited, Zircon.ZX_RIGHT_READ() | Zircon.ZX_RIGHT_WRITE());
      assertStatus(r.status(), Zircon.ZX_ERR_INVALID_ARGS(), "replace adding WRITE");
      assertStatus(
          handleValid(limited), Zircon.ZX_ERR_BAD_HANDLE(), "the original after failed replace");
      assertOk(handleValid(vmo), "an unrelated handle to the same VMO");
    }
  }

  @Test
  void replaceIntoANullOutPointerIsInvalidArgsAndInvalidatesTheOriginal() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      int dup = res.duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
      res.forget(dup);
      assertStatus(
          Zircon.zx_handle_replace(dup, Zircon.ZX_RIGHT_SAME_RIGHTS(), MemorySegment.NULL),
          Zircon.ZX_ERR_INVALID_ARGS(),
          "replace into NULL");
      assertStatus(handleValid(dup), Zircon.ZX_ERR_BAD_HANDLE(), "the original after replace");
    }
  }

  @Test
  void replaceOfABadHandleIsBadHandle() {
    try (var res = new Resources()) {
      int vmo = res.vmo(pageSize());
      res.closeOk(vmo);
      assertStatus(
          res.tryReplace(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS()).status(),
          Zircon.ZX_ERR_BAD_HANDLE(),
          "replace of a closed handle");
    }
  }
}
