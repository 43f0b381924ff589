package io.github.zircon4j.vmo;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.zircon.Zircon;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Races between readers and everything that can end a mapping or its source, beyond the single
 * shared-close race of {@link SharedMappingCloseRaceTest}: several shared mappings closed by
 * several closers at once (segments, whole buffers and buffer windows), arenas of the caller's
 * closed under readers, the source {@link Vmo} closed under readers and under creators, and many
 * threads creating and closing mappings of one VMO while it is written.
 *
 * <p>Pass means: no JVM crash (no {@code hs_err_pid*.log} appears), every byte read is one the
 * snapshot holds, every access after a close is an {@link IllegalStateException}, and afterwards
 * the VMO reports {@code ZX_VMO_ZERO_CHILDREN} with no children and no mappings. {@code
 * zircon4j.stress=true} runs {@value #STRESS_FACTOR} times more rounds.
 */
class MappingRaceTest {
  private static final int STRESS_FACTOR = 100;
  private static final int READERS = 6;
  private static final long PAGE;

  static {
    ZirconLibrary.ensureLoaded();
    PAGE = ZxTestSupport.pageSize();
  }

  private Set<Path> crashLogsBefore;

  static int rounds(int ci) {
    return Boolean.getBoolean("zircon4j.stress") ? ci * STRESS_FACTOR : ci;
  }

  @BeforeEach
  void noteCrashLogs() throws IOException {
    crashLogsBefore = crashLogs();
  }

  @AfterEach
  void noCrashLogAppeared() throws IOException {
    assertThat(crashLogs())
        .as("hs_err_pid*.log files in the working directory")
        .isEqualTo(crashLogsBefore);
  }

  private static Set<Path> crashLogs() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("").toAbsolutePath())) {
      return files
          .filter(p -> p.getFileName().toString().matches("hs_err_pid\\d+\\.log"))
          .collect(Collectors.toSet());
    }
  }

  /** A VMO whose every 8-byte word at offset o holds {@code word(seed, o)}. */
  private static Vmo patternedVmo(long size, long seed) {
    Vmo vmo = Vmo.create(size);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment bytes = arena.allocate(size, 8);
      for (long o = 0; o < size; o += 8) {
        bytes.set(JAVA_LONG_UNALIGNED, o, word(seed, o));
      }
      vmo.write(bytes, 0);
    }
    return vmo;
  }

  private static long word(long seed, long offset) {
    return seed * 0x9E3779B97F4A7C15L ^ offset;
  }

  private static void assertNoChildrenLeft(Vmo vmo) {
    assertThat(ZxTestSupport.hasZeroChildren(vmo.handle())).as("ZX_VMO_ZERO_CHILDREN").isTrue();
    ZxTestSupport.VmoInfo info = ZxTestSupport.vmoInfo(vmo.handle());
    assertThat(info.numChildren()).as("ZX_INFO_VMO num_children").isZero();
    assertThat(info.numMappings()).as("ZX_INFO_VMO num_mappings").isZero();
  }

  /** Runs {@code body} on {@code n} platform threads at once and waits for them. */
  private static void together(int n, Consumer<Integer> body) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                    body.accept(index);
                  }));
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
  }

  /**
   * Reads words of {@code view} at random until an access fails; checks each word, then that the
   * failure is IllegalStateException and that the next access fails the same way.
   */
  private static void readUntilClosed(
      long size,
      long seed,
      Accessor view,
      ConcurrentLinkedQueue<Throwable> unexpected,
      AtomicLong closedSeen) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    try {
      while (true) {
        long offset = random.nextLong(size / 8) * 8;
        long got = view.word(offset);
        if (got != word(seed, offset)) {
          unexpected.add(
              new AssertionError(
                  "word at " + offset + " is " + Long.toHexString(got) + ", not the snapshot's"));
          return;
        }
      }
    } catch (IllegalStateException closed) {
      closedSeen.incrementAndGet();
      try {
        view.word(0);
        unexpected.add(new AssertionError("an access after the close succeeded"));
      } catch (IllegalStateException stillClosed) {
        // expected: every access after the close fails this way
      } catch (Throwable t) {
        unexpected.add(t);
      }
    } catch (Throwable t) {
      unexpected.add(t);
    }
  }

  interface Accessor {
    long word(long offset);
  }

  private static Accessor viaSegment(MemorySegment segment) {
    return offset -> segment.get(JAVA_LONG_UNALIGNED, offset);
  }

  private static Accessor viaBuffer(ByteBuffer buffer) {
    ByteBuffer own = buffer.duplicate().order(java.nio.ByteOrder.nativeOrder());
    return offset -> own.getLong((int) offset);
  }

  /** A window of the mapping as a buffer (asByteBuffer(offset, length)); offsets are relative. */
  private static Accessor viaWindow(ImmutableMapping mapping, long size) {
    long half = size / 2;
    ByteBuffer low = mapping.asByteBuffer(0, (int) half).order(java.nio.ByteOrder.nativeOrder());
    ByteBuffer high =
        mapping.asByteBuffer(half, (int) (size - half)).order(java.nio.ByteOrder.nativeOrder());
    return offset ->
        offset < half ? low.getLong((int) offset) : high.getLong((int) (offset - half));
  }

  private static Accessor viaMappingSegmentCall(ImmutableMapping mapping) {
    return offset -> mapping.segment().get(JAVA_LONG_UNALIGNED, offset);
  }

  @Test
  void severalClosersOfSeveralSharedMappingsLeaveReadersOnlyIllegalState() throws Exception {
    int mappingsPerRound = 3;
    int rounds = rounds(60);
    long size = 8 * PAGE;
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    AtomicLong closedSeen = new AtomicLong();
    try (Vmo vmo = patternedVmo(size, 1)) {
      for (int round = 0; round < rounds; round++) {
        List<ImmutableMapping> mappings = new ArrayList<>();
        for (int m = 0; m < mappingsPerRound; m++) {
          mappings.add(ImmutableMapping.create(vmo, Paging.shared((round + m) % 2 == 0)));
        }
        CountDownLatch reading = new CountDownLatch(READERS);
        int closers = 2;
        together(
            READERS + closers,
            index -> {
              if (index < READERS) {
                ImmutableMapping mapping = mappings.get(index % mappingsPerRound);
                Accessor view =
                    switch (index % 4) {
                      case 0 -> viaSegment(mapping.segment());
                      case 1 -> viaBuffer(mapping.asByteBuffer());
                      case 2 -> viaWindow(mapping, size);
                      default -> viaMappingSegmentCall(mapping);
                    };
                reading.countDown();
                readUntilClosed(size, 1, view, unexpected, closedSeen);
              } else {
                try {
                  reading.await();
                  // Both closers close every mapping, in opposite orders: close() is idempotent
                  // and a close racing a close must not throw.
                  List<ImmutableMapping> order = new ArrayList<>(mappings);
                  if (index % 2 == 1) {
                    java.util.Collections.reverse(order);
                  }
                  for (ImmutableMapping mapping : order) {
                    mapping.close();
                  }
                } catch (Throwable t) {
                  unexpected.add(t);
                }
              }
            });
      }
      assertThat(unexpected).isEmpty();
      assertThat(closedSeen.get()).isEqualTo((long) rounds * READERS);
      assertNoChildrenLeft(vmo);
    }
  }

  @Test
  void closingTheCallersSharedArenaUnderReadersGivesOnlyIllegalState() throws Exception {
    int rounds = rounds(50);
    long size = 4 * PAGE;
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    AtomicLong closedSeen = new AtomicLong();
    try (Vmo vmo = patternedVmo(size, 2)) {
      for (int round = 0; round < rounds; round++) {
        Arena arena = Arena.ofShared();
        // Two snapshots in one arena: both go away with it.
        MemorySegment first =
            ImmutableMapping.map(vmo, 0, vmo.size(), arena, Paging.of(round % 2 == 0));
        MemorySegment second =
            ImmutableMapping.map(vmo, 0, vmo.size(), arena, Paging.of(round % 2 == 1));
        CountDownLatch reading = new CountDownLatch(READERS);
        together(
            READERS + 1,
            index -> {
              if (index < READERS) {
                MemorySegment segment = index % 2 == 0 ? first : second;
                Accessor view =
                    index % 3 == 0 ? viaBuffer(segment.asByteBuffer()) : viaSegment(segment);
                reading.countDown();
                readUntilClosed(size, 2, view, unexpected, closedSeen);
              } else {
                try {
                  reading.await();
                  arena.close();
                } catch (Throwable t) {
                  unexpected.add(t);
                }
              }
            });
      }
      assertThat(unexpected).isEmpty();
      assertThat(closedSeen.get()).isEqualTo((long) rounds * READERS);
      assertNoChildrenLeft(vmo);
    }
  }

  @Test
  void closingTheVmoUnderReadersAndCreatorsLeavesMappingsIntact() throws Exception {
    int rounds = rounds(40);
    long size = 4 * PAGE;
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    for (int round = 0; round < rounds; round++) {
      long seed = 100 + round;
      Vmo vmo = patternedVmo(size, seed);
      // A second handle to the same VMO, to check it afterwards.
      Vmo probe = vmo.duplicate();
      List<ImmutableMapping> mappings = new ArrayList<>();
      for (int m = 0; m < 2; m++) {
        mappings.add(ImmutableMapping.create(vmo, Paging.shared(m == 0)));
      }
      AtomicBoolean vmoClosed = new AtomicBoolean();
      ConcurrentLinkedQueue<ImmutableMapping> made = new ConcurrentLinkedQueue<>();
      CountDownLatch reading = new CountDownLatch(READERS);
      together(
          READERS + 3,
          index -> {
            try {
              if (index < READERS) {
                // Readers of mappings made before the close: the close must not affect them.
                ImmutableMapping mapping = mappings.get(index % mappings.size());
                Accessor view =
                    index % 2 == 0
                        ? viaSegment(mapping.segment())
                        : viaBuffer(mapping.asByteBuffer());
                reading.countDown();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 20_000; i++) {
                  long offset = random.nextLong(size / 8) * 8;
                  long got = view.word(offset);
                  if (got != word(seed, offset)) {
                    throw new AssertionError("word at " + offset + " changed after the VMO closed");
                  }
                }
              } else if (index == READERS) {
                reading.await();
                vmo.close();
                vmoClosed.set(true);
                vmo.close(); // idempotent
              } else {
                // Creators racing the close: they succeed (a full snapshot), or fail with
                // IllegalStateException (closed first) or ZX_ERR_BAD_HANDLE (closed in between).
                reading.await();
                while (!vmoClosed.get()) {
                  try {
                    ImmutableMapping mapping =
                        ImmutableMapping.create(vmo, Paging.shared(index % 2 == 0));
                    made.add(mapping);
                  } catch (IllegalStateException closed) {
                    // the Vmo object was closed first
                  } catch (ZxException e) {
                    if (e.status() != Zircon.ZX_ERR_BAD_HANDLE()) {
                      throw e;
                    }
                  }
                }
              }
            } catch (Throwable t) {
              unexpected.add(t);
            }
          });
      for (ImmutableMapping mapping : made) {
        assertThat(mapping.segment().get(JAVA_LONG_UNALIGNED, size - 8))
            .isEqualTo(word(seed, size - 8));
        mapping.close();
      }
      for (ImmutableMapping mapping : mappings) {
        assertThat(mapping.segment().get(JAVA_LONG_UNALIGNED, 8)).isEqualTo(word(seed, 8));
        mapping.close();
      }
      assertNoChildrenLeft(probe);
      probe.close();
    }
    assertThat(unexpected).isEmpty();
  }

  @Test
  void manyThreadsCreatingAndClosingMappingsOfOneVmoWhileItIsWritten() throws Exception {
    int perThread = rounds(300);
    int threads = 8;
    long size = 4 * PAGE;
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    AtomicInteger latestFill = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    try (Vmo vmo = Vmo.create(size)) {
      Thread writer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    byte[] fill = new byte[(int) size];
                    for (int v = 1; !done.get(); v = v % 120 + 1) {
                      Arrays.fill(fill, (byte) v);
                      latestFill.accumulateAndGet(v, Math::max);
                      vmo.write(fill, 0);
                    }
                  });
      together(
          threads,
          index -> {
            try {
              for (int i = 0; i < perThread; i++) {
                boolean immediately = (i + index) % 2 == 0;
                switch ((i + index) % 3) {
                  case 0 -> {
                    try (ImmutableMapping mapping =
                        ImmutableMapping.create(vmo, Paging.of(immediately))) {
                      checkFilled(mapping.segment(), latestFill.get());
                    }
                  }
                  case 1 -> {
                    try (ImmutableMapping mapping =
                        ImmutableMapping.create(vmo, Paging.shared(immediately))) {
                      checkFilled(mapping.segment(), latestFill.get());
                    }
                  }
                  default -> {
                    try (Arena arena = Arena.ofConfined()) {
                      checkFilled(
                          ImmutableMapping.map(vmo, 0, vmo.size(), arena, Paging.of(immediately)),
                          latestFill.get());
                    }
                  }
                }
              }
            } catch (Throwable t) {
              unexpected.add(t);
            }
          });
      done.set(true);
      writer.join();
      assertThat(unexpected).isEmpty();
      assertNoChildrenLeft(vmo);
    }
  }

  /**
   * Every byte of a snapshot taken while the VMO is rewritten with uniform fills is one of the fill
   * values written so far (0 before the first); reading it never faults.
   */
  private static void checkFilled(MemorySegment segment, int maxFill) {
    byte[] bytes = new byte[(int) segment.byteSize()];
    MemorySegment.ofArray(bytes).copyFrom(segment);
    for (int i = 0; i < bytes.length; i += 97) {
      if (bytes[i] < 0 || bytes[i] > Math.max(maxFill, 120)) {
        throw new AssertionError("byte " + i + " of a snapshot is " + bytes[i]);
      }
    }
  }
}
