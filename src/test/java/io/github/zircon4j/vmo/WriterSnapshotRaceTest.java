package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Writers storing through a writable mapping while snapshots of the VMO are taken: every snapshot
 * is a consistent cut of each writer's stores and never changes afterwards, and the VMO ends with
 * every writer's last store. On the host each snapshot write-protects the writers' pages (lazy
 * copy-on-write) or copies them, as zircon's snapshots do.
 */
class WriterSnapshotRaceTest {
  private static final int WRITERS = 3;
  private static final int PAGES_PER_WRITER = 6;
  private static final int SNAPSHOTS = 30;
  private static final VarHandle WORD = JAVA_LONG.varHandle();

  private static long pageSize() {
    return Syscalls.PAGE_SIZE;
  }

  /** Word 0 of each page of every snapshot, as taken right after the snapshot. */
  private static long[] firstWords(ImmutableMapping snapshot, int pages) {
    long[] words = new long[pages];
    for (int p = 0; p < pages; p++) {
      words[p] = snapshot.segment().get(JAVA_LONG, p * pageSize());
    }
    return words;
  }

  @Test
  void writersRacingSnapshotsThroughAMappingSeeConsistentCutsThatNeverChange() throws Exception {
    int pages = WRITERS * PAGES_PER_WRITER;
    try (Vmo vmo = Vmo.create(pages * pageSize());
        Arena shared = Arena.ofShared()) {
      MemorySegment writer = Mapping.map(vmo, 0, pages * pageSize(), shared);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLongArray lastRound = new AtomicLongArray(WRITERS);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < WRITERS; t++) {
        int first = t * PAGES_PER_WRITER;
        int index = t;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      // Round r stores r into word 0 of each of this writer's pages, in order.
                      for (long r = 1; !stop.get(); r++) {
                        for (int p = first; p < first + PAGES_PER_WRITER; p++) {
                          WORD.setRelease(writer, p * pageSize(), r);
                        }
                        lastRound.set(index, r);
                      }
                    }));
      }
      List<ImmutableMapping> snapshots = new ArrayList<>();
      List<long[]> taken = new ArrayList<>();
      try {
        for (int s = 0; s < SNAPSHOTS; s++) {
          ImmutableMapping snapshot = ImmutableMapping.create(vmo, MapOption.SHARED);
          snapshots.add(snapshot);
          taken.add(firstWords(snapshot, pages));
        }
      } finally {
        stop.set(true);
        for (Thread thread : threads) {
          thread.join();
        }
      }
      for (int s = 0; s < SNAPSHOTS; s++) {
        long[] words = taken.get(s);
        for (int t = 0; t < WRITERS; t++) {
          int first = t * PAGES_PER_WRITER;
          for (int p = first + 1; p < first + PAGES_PER_WRITER; p++) {
            assertThat(words[p])
                .as("snapshot %d, page %d after page %d", s, p, p - 1)
                .isLessThanOrEqualTo(words[p - 1]);
          }
          assertThat(words[first] - words[first + PAGES_PER_WRITER - 1])
              .as("snapshot %d, writer %d: rounds in flight", s, t)
              .isBetween(0L, 1L);
        }
        assertThat(firstWords(snapshots.get(s), pages)).as("snapshot %d later", s).isEqualTo(words);
        snapshots.get(s).close();
      }
      byte[] word = new byte[8];
      for (int t = 0; t < WRITERS; t++) {
        for (int p = t * PAGES_PER_WRITER; p < (t + 1) * PAGES_PER_WRITER; p++) {
          vmo.read(word, p * pageSize());
          assertThat(MemorySegment.ofArray(word).get(JAVA_LONG.withByteAlignment(1), 0))
              .as("page %d holds writer %d's last round", p, t)
              .isEqualTo(lastRound.get(t));
        }
      }
    }
  }
}
