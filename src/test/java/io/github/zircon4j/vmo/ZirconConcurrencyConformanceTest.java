package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.ZxTestSupport.assertOk;
import static io.github.zircon4j.vmo.ZxTestSupport.hasZeroChildren;
import static io.github.zircon4j.vmo.ZxTestSupport.pageSize;
import static io.github.zircon4j.vmo.ZxTestSupport.pattern;
import static io.github.zircon4j.vmo.ZxTestSupport.read;
import static io.github.zircon4j.vmo.ZxTestSupport.readMapped;
import static io.github.zircon4j.vmo.ZxTestSupport.vmoInfo;
import static io.github.zircon4j.vmo.ZxTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.ZxTestSupport.Resources;
import io.github.zircon4j.vmo.ZxTestSupport.VmoInfo;
import io.github.zircon4j.zircon.Zircon;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many threads creating, mapping, unmapping and closing around one VMO. */
class ZirconConcurrencyConformanceTest {
  private static final int THREADS = 6;
  private static final int ITERATIONS = 150;

  @BeforeAll
  static void loadZircon() {
    ZirconLibrary.ensureLoaded();
  }

  @Test
  void concurrentChildMapUnmapCloseLeavesNoChildrenAndNoMappings() throws Exception {
    long page = pageSize();
    long size = 2 * page;
    byte[] contents = pattern((int) size, 19);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (var res = new Resources()) {
      int vmo = res.vmoWith(size, contents);
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int kind = t % 3;
        workers.add(
            pool.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  for (int i = 0; i < ITERATIONS; i++) {
                    try (var mine = new Resources()) {
                      switch (kind) {
                        case 0 -> snapshotMapCloseUnmap(mine, vmo, size, contents, i);
                        case 1 -> mapParentAndUnmap(mine, vmo, size, contents);
                        default -> childrenAndDuplicates(mine, vmo, size, contents);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> w : workers) {
        w.get(120, TimeUnit.SECONDS);
      }
      assertThat(hasZeroChildren(vmo)).as("ZERO_CHILDREN after all workers finished").isTrue();
      VmoInfo info = vmoInfo(vmo);
      assertThat(info.numChildren()).isZero();
      assertThat(info.numMappings()).isZero();
      assertThat(read(vmo, 0, (int) size)).as("parent contents unchanged").isEqualTo(contents);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** The ImmutableMapping pattern: snapshot+no-write child, map it, drop the handle, unmap. */
  private static void snapshotMapCloseUnmap(
      Resources mine, int vmo, long size, byte[] contents, int iteration) {
    int child =
        mine.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT() | Zircon.ZX_VMO_CHILD_NO_WRITE(), 0, size);
    int options = Zircon.ZX_VM_PERM_READ() | Zircon.ZX_VM_REQUIRE_NON_RESIZABLE();
    if (iteration % 2 == 0) {
      options |= Zircon.ZX_VM_MAP_RANGE();
    }
    long addr = mine.map(options, child, 0, size);
    mine.closeOk(child);
    assertThat(readMapped(addr, size)).isEqualTo(contents);
    mine.unmapOk(addr, size);
  }

  private static void mapParentAndUnmap(Resources mine, int vmo, long size, byte[] contents) {
    long addr = mine.map(Zircon.ZX_VM_PERM_READ(), vmo, 0, size);
    assertThat(readMapped(addr, 16)).isEqualTo(java.util.Arrays.copyOf(contents, 16));
    mine.unmapOk(addr, size);
  }

  private static void childrenAndDuplicates(Resources mine, int vmo, long size, byte[] contents) {
    int dup = mine.duplicate(vmo, Zircon.ZX_RIGHT_SAME_RIGHTS());
    int a = mine.child(dup, Zircon.ZX_VMO_CHILD_SNAPSHOT(), 0, size);
    int b = mine.child(vmo, Zircon.ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE(), 0, size);
    write(a, 0, new byte[] {(byte) ~contents[0]});
    assertThat(read(a, 1, 15)).isEqualTo(java.util.Arrays.copyOfRange(contents, 1, 16));
    assertOk(mine.close(b), "close b");
    assertOk(mine.close(a), "close a");
    assertOk(mine.close(dup), "close dup");
  }
}
