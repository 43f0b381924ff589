package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.filled;
import static io.github.zircon4j.vmo.ZxTestSupport.opRange;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoInfo;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.zircon.Zircon;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who ZX_INFO_VMO charges for pages that snapshots share ({@code committed_bytes}), and ZERO
 * leaving zero markers instead of committed pages. The figures are those of zircon's core VMO
 * tests.
 */
class ZirconAttributionConformanceTest {
  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  private static long committedPages(int vmo) {
    return vmoInfo(vmo).committedBytes() / pageSize();
  }

  /** A VMO of {@code pages} pages, page i filled with i + 1. */
  private static int filledVmo(Resources res, int pages, int options) {
    long page = pageSize();
    int vmo = res.vmo(pages * page, options);
    for (int i = 0; i < pages; i++) {
      write(vmo, i * page, filled((int) page, i + 1));
    }
    return vmo;
  }

  private static int snapshot(Resources res, int parent, int options, long pages) {
    return res.child(parent, Zircon.ZX_VMO_CHILD_SNAPSHOT() | options, 0, pages * pageSize());
  }

  @Test
  void aPageTheParentRewritesIsChargedToTheCloneThatStillSeesTheOldCopy() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = filledVmo(res, 2, 0);
      int clone = snapshot(res, parent, 0, 2);
      write(parent, 0, filled((int) page, 0x40));
      assertThat(committedPages(parent)).as("parent").isEqualTo(2);
      assertThat(committedPages(clone)).as("clone").isEqualTo(1);
      assertThat(read(clone, 0, (int) page)).containsOnly(1);
    }
  }

  @Test
  void closingTheParentPassesItsSharedPagesToTheClone() {
    try (var res = new Resources()) {
      int parent = filledVmo(res, 3, 0);
      int clone = snapshot(res, parent, 0, 2);
      assertThat(committedPages(clone)).isZero();
      res.closeOk(parent);
      assertThat(committedPages(clone)).as("the two pages it sees").isEqualTo(2);
    }
  }

  @Test
  void aChainOfSnapshotsEachWritingOnePageHoldsSixDownToOnePages() {
    try (var res = new Resources()) {
      long page = pageSize();
      int[] vmos = new int[6];
      vmos[0] = filledVmo(res, 6, 0);
      for (int i = 1; i < 6; i++) {
        vmos[i] = snapshot(res, vmos[0], Zircon.ZX_VMO_CHILD_RESIZABLE(), 6);
        write(vmos[i], i * page, filled((int) page, 8));
      }
      for (int i = 0; i < 6; i++) {
        assertThat(committedPages(vmos[i])).as("VMO %d", i).isEqualTo(6 - i);
      }
    }
  }

  @Test
  void shrinkingTheParentPassesThePagesItNoLongerSeesToTheClone() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = filledVmo(res, 4, Zircon.ZX_VMO_RESIZABLE());
      int clone = snapshot(res, parent, 0, 4);
      assertOk(Zircon.zx_vmo_set_size(parent, page), "zx_vmo_set_size");
      assertThat(committedPages(parent)).isEqualTo(1);
      assertThat(committedPages(clone)).isEqualTo(3);
    }
  }

  @Test
  void zeroingPagesThatWereNeverCommittedCommitsNothing() {
    try (var res = new Resources()) {
      long page = pageSize();
      int vmo = res.vmo(2 * page);
      assertOk(opRange(vmo, Zircon.ZX_VMO_OP_ZERO(), page / 2, page), "ZERO");
      assertThat(committedPages(vmo)).isZero();
    }
  }

  @Test
  void zeroingAPageTheChildSharesReadsZeroAndCommitsNothing() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = filledVmo(res, 2, 0);
      int child = snapshot(res, parent, 0, 2);
      assertOk(opRange(child, Zircon.ZX_VMO_OP_ZERO(), 0, page), "ZERO");
      assertThat(read(child, 0, (int) page)).containsOnly(0);
      assertThat(read(parent, 0, (int) page)).containsOnly(1);
      assertThat(committedPages(child)).isZero();
      assertThat(committedPages(parent)).isEqualTo(2);
    }
  }

  @Test
  void zeroingAPageInTheParentChargesItToTheChildThatStillSeesIt() {
    try (var res = new Resources()) {
      long page = pageSize();
      int parent = filledVmo(res, 1, 0);
      int child = snapshot(res, parent, 0, 1);
      assertOk(opRange(parent, Zircon.ZX_VMO_OP_ZERO(), 0, page), "ZERO");
      assertThat(committedPages(parent)).isZero();
      assertThat(committedPages(child)).isEqualTo(1);
      assertThat(read(child, 0, (int) page)).containsOnly(1);
    }
  }
}
