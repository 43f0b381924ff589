package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The promise {@link ImmutableMapping} makes holds at scale: a snapshot's mapping never shows a
 * store made after it, whatever the number and order of the writer's stores (the host emulation
 * must not run into the kernel's limit on mappings, {@code vm.max_map_count}, and let a store
 * through when it does).
 */
class SnapshotAtScaleTest {
  private static final long SIZE = 512L << 20;

  @Test
  void immutableMappingKeepsEveryPageWhileTheWriterStoresToAllOfThemInRandomOrder() {
    long page = Syscalls.PAGE_SIZE;
    int pages = (int) (SIZE / page);
    try (Mapping writer = Mapping.allocate(SIZE)) {
      MemorySegment w = writer.segment();
      for (int i = 0; i < pages; i++) {
        w.set(JAVA_LONG, i * page, i + 1L);
      }
      try (ImmutableMapping snapshot = ImmutableMapping.create(writer.vmo())) {
        int[] order = shuffled(pages, new Random(22));
        for (int i : order) {
          w.set(JAVA_LONG, i * page, -1L - i);
        }
        MemorySegment s = snapshot.segment();
        int changed = 0;
        int lost = 0;
        for (int i = 0; i < pages; i++) {
          if (s.get(JAVA_LONG, i * page) != i + 1L) {
            changed++;
          }
          if (w.get(JAVA_LONG, i * page) != -1L - i) {
            lost++;
          }
        }
        assertThat(changed).as("snapshot pages showing a later store").isZero();
        assertThat(lost).as("writer pages missing their store").isZero();
      }
    }
  }

  private static int[] shuffled(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
