package io.github.zircon4j.vmo.bench;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.Mapping;
import io.github.zircon4j.vmo.Vmo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Snapshots of VMOs that are being written: a writer's cycle of writing one page and taking,
 * mapping and dropping a snapshot. Twins in {@code src/bench/c/baseline.c}: {@code
 * snapshot_after_write_4k}, {@code snapshot_after_write_256m} and {@code
 * snapshot_writable_mapped_64m}. Each benchmark writes the next page of its VMO (round robin), so
 * every snapshot freezes exactly one written page. And {@code cowFirstWriteMapped} (twin {@code
 * cow_first_write_snapshot_mapped}): the first store to each page after a snapshot that a reader
 * holds mapped.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(2)
public class WriterBenchmarks {
  static final long SIZE_64M = 64 * BenchVmos.MIB;

  /** A written VMO that {@code zx_vmo_write} keeps writing, one page per operation. */
  @State(Scope.Thread)
  public abstract static class WrittenVmo {
    Vmo vmo;
    MemorySegment word;
    long page;
    long pages;
    long next;

    abstract long size();

    @Setup(Level.Trial)
    public void setUp() {
      vmo = BenchVmos.filled(size());
      page = BenchVmos.pageSize();
      pages = vmo.size() / page;
      word = Arena.ofAuto().allocate(8, 8);
    }

    /** Writes word 0 of the next page. */
    void writeNextPage() {
      next = (next + 1) % pages;
      word.set(ValueLayout.JAVA_LONG, 0, next);
      vmo.write(word, next * page);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      vmo.close();
    }
  }

  /** One written page. */
  public static class WrittenPage extends WrittenVmo {
    @Override
    long size() {
      return 1;
    }
  }

  /** 256 MiB, every page written. */
  public static class Written256m extends WrittenVmo {
    @Override
    long size() {
      return BenchVmos.SIZE_256M;
    }
  }

  /** 64 MiB, every page written, with a live writable {@link Mapping} of all of it. */
  @State(Scope.Thread)
  public static class MappedWriter {
    Vmo vmo;
    Mapping writer;
    long page;
    long pages;
    long next;

    @Setup(Level.Trial)
    public void setUp() {
      vmo = BenchVmos.filled(SIZE_64M);
      writer = Mapping.create(vmo, 0, SIZE_64M);
      page = BenchVmos.pageSize();
      pages = SIZE_64M / page;
      for (long p = 0; p < pages; p++) {
        writer.segment().set(ValueLayout.JAVA_LONG, p * page, p); // faults every page in
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      writer.close();
      vmo.close();
    }
  }

  /**
   * A writer's 16 MiB Mapping, fully written, and before each invocation a snapshot that a reader
   * holds as an ImmutableMapping: each of the invocation's stores is the first to its page since.
   */
  @State(Scope.Thread)
  public static class SnapshotHeld {
    static final int PAGES = 4096;
    Vmo vmo;
    Mapping writer;
    ImmutableMapping reader;
    long page;
    long round;

    @Setup(Level.Trial)
    public void setUp() {
      page = BenchVmos.pageSize();
      vmo = BenchVmos.filled(PAGES * page);
      writer = Mapping.create(vmo, 0, PAGES * page);
      for (long p = 0; p < PAGES; p++) {
        writer.segment().set(ValueLayout.JAVA_LONG, p * page, p); // faults every page in
      }
    }

    @Setup(Level.Invocation)
    public void takeSnapshot() {
      reader = ImmutableMapping.create(vmo);
      round++;
    }

    @TearDown(Level.Invocation)
    public void dropSnapshot() {
      reader.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      writer.close();
      vmo.close();
    }
  }

  /** One store to each page of the writer's Mapping after a snapshot (per page). */
  @Benchmark
  @OperationsPerInvocation(SnapshotHeld.PAGES)
  public long cowFirstWriteMapped(SnapshotHeld s) {
    MemorySegment segment = s.writer.segment();
    for (long p = 0; p < SnapshotHeld.PAGES; p++) {
      segment.set(ValueLayout.JAVA_LONG, p * s.page, s.round);
    }
    return s.reader.size();
  }

  /** Write one page with {@code zx_vmo_write}, then create + close a snapshot mapping. */
  @Benchmark
  public long snapshotAfterWrite4k(WrittenPage v) {
    v.writeNextPage();
    try (ImmutableMapping snapshot = ImmutableMapping.create(v.vmo)) {
      return snapshot.size();
    }
  }

  /** The same on a fully written 256 MiB VMO. */
  @Benchmark
  public long snapshotAfterWrite256m(Written256m v) {
    v.writeNextPage();
    try (ImmutableMapping snapshot = ImmutableMapping.create(v.vmo)) {
      return snapshot.size();
    }
  }

  /**
   * Store into one page through the live writable mapping (the first store after the previous
   * snapshot copies it), then create + close a snapshot mapping of the 64 MiB VMO.
   */
  @Benchmark
  public long snapshotWritableMapped64m(MappedWriter w) {
    w.next = (w.next + 1) % w.pages;
    w.writer.segment().set(ValueLayout.JAVA_LONG, w.next * w.page, w.next);
    try (ImmutableMapping snapshot = ImmutableMapping.create(w.vmo)) {
      return snapshot.size();
    }
  }
}
