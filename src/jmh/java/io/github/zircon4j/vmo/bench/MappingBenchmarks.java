package io.github.zircon4j.vmo.bench;

import io.github.zircon4j.vmo.ImmutableMapping;
import io.github.zircon4j.vmo.MapOption;
import io.github.zircon4j.vmo.Vmo;
import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Java side of {@code mvn -B -Pbench verify}. Each benchmark has a twin in {@code
 * src/bench/c/baseline.c} that makes the same syscalls through the same {@code libzircon.so}; the
 * benchmark runner (src/bench/java) divides the two. All times are per operation.
 *
 * <p>Every VMO is made once per fork ({@code Level.Trial}), so only the measured operation runs in
 * the loop. The VMOs are never written after their setup, so every snapshot is of an unmodified
 * VMO.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(2)
public class MappingBenchmarks {

  /** A one-page VMO, never written (nothing committed). */
  @State(Scope.Thread)
  public static class PageVmo {
    Vmo vmo;

    @Setup(Level.Trial)
    public void setUp() {
      vmo = Vmo.create(1);
      if (vmo.size() != BenchVmos.pageSize()) {
        throw new IllegalStateException("expected a one-page VMO, got " + vmo.size());
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      vmo.close();
    }
  }

  /** A 1 GiB VMO, never written. */
  @State(Scope.Thread)
  public static class GigVmo {
    Vmo vmo;

    @Setup(Level.Trial)
    public void setUp() {
      vmo = Vmo.create(BenchVmos.SIZE_1G);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      vmo.close();
    }
  }

  /** A 256 MiB VMO with every page written once in setup, then left unmodified. */
  @State(Scope.Thread)
  public static class DataVmo {
    Vmo vmo;

    @Setup(Level.Trial)
    public void setUp() {
      vmo = BenchVmos.filled(BenchVmos.SIZE_256M);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      vmo.close();
    }
  }

  /** A mapped snapshot of {@link DataVmo}, made once (confined to the benchmark thread). */
  @State(Scope.Thread)
  public static class MappedData {
    ImmutableMapping mapping;

    @Setup(Level.Trial)
    public void setUp(DataVmo data) {
      mapping = ImmutableMapping.create(data.vmo);
      long expected = BenchVmos.expectedSum(BenchVmos.SIZE_256M);
      long got = sum(mapping.segment());
      if (got != expected) {
        throw new IllegalStateException("mapped sum " + got + " != expected " + expected);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      mapping.close();
    }
  }

  /** The destination of the {@code zx_vmo_read} copy, allocated once. */
  @State(Scope.Thread)
  public static class CopyBuffer {
    byte[] bytes;

    @Setup(Level.Trial)
    public void setUp() {
      bytes = new byte[(int) BenchVmos.SIZE_256M];
    }
  }

  /**
   * {@code zx_vmo_get_size} through an ordinary downcall handle (thread state transition), as
   * {@code Syscalls} makes every call, and through one made with {@code
   * Linker.Option.critical(false)}: shows what that option would save per call (Syscalls does not
   * use it: a critical call holds off safepoints, and no zircon call is short in every case).
   */
  @State(Scope.Thread)
  public static class Downcalls {
    /** Initialised on first use, after setUp has loaded the library (the symbol must exist). */
    @SuppressWarnings("restricted") // Syscalls's kind of handle, and a critical one
    static final class Handles {
      static final MethodHandle CRITICAL =
          Linker.nativeLinker()
              .downcallHandle(
                  Zircon.zx_vmo_get_size$address(),
                  Zircon.zx_vmo_get_size$descriptor(),
                  Linker.Option.critical(false));
      static final MethodHandle PLAIN =
          Linker.nativeLinker()
              .downcallHandle(
                  Zircon.zx_vmo_get_size$address(), Zircon.zx_vmo_get_size$descriptor());
    }

    Vmo vmo;
    int handle;
    MemorySegment out;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
      vmo = Vmo.create(1); // loads libzircon.so
      handle = vmo.handle();
      out = Arena.ofAuto().allocate(8, 8);
      int status = (int) Handles.CRITICAL.invokeExact(handle, out);
      if (status != 0 || out.get(ValueLayout.JAVA_LONG, 0) != vmo.size()) {
        throw new IllegalStateException("zx_vmo_get_size: status " + status);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      vmo.close();
    }
  }

  static long sum(MemorySegment segment) {
    long n = segment.byteSize();
    long sum = 0;
    for (long off = 0; off < n; off += 8) {
      sum += segment.get(ValueLayout.JAVA_LONG, off);
    }
    return sum;
  }

  // ---- create + close ------------------------------------------------------------------------

  /**
   * {@code create} + {@code close} of a one-page VMO: get_size, create_child, map, close, unmap.
   */
  @Benchmark
  public long createClose4k(PageVmo page) {
    try (ImmutableMapping mapping = ImmutableMapping.create(page.vmo)) {
      return mapping.size();
    }
  }

  // The same create + close in forks with each -Dzircon4j.leakDetection mode (read once per JVM,
  // so each mode needs its own fork): what leak detection costs. jvmArgsPrepend, because the runner
  // sets jvmArgsAppend in its options, which replaces an annotation's.

  /** {@link #createClose4k} with leak detection off (leaks are still released). */
  @Benchmark
  @Fork(jvmArgsPrepend = "-Dzircon4j.leakDetection=off")
  public long createClose4kLeakOff(PageVmo page) {
    return createClose4k(page);
  }

  /** {@link #createClose4k} with leak detection on (the default). */
  @Benchmark
  @Fork(jvmArgsPrepend = "-Dzircon4j.leakDetection=on")
  public long createClose4kLeakOn(PageVmo page) {
    return createClose4k(page);
  }

  /** {@link #createClose4k} with leak detection tracing each creation's stack. */
  @Benchmark
  @Fork(jvmArgsPrepend = "-Dzircon4j.leakDetection=trace")
  public long createClose4kLeakTrace(PageVmo page) {
    return createClose4k(page);
  }

  /** The same with a shared arena: {@code close()} is a JVM-wide handshake. */
  @Benchmark
  public long createCloseShared4k(PageVmo page) {
    try (ImmutableMapping mapping = ImmutableMapping.create(page.vmo, MapOption.SHARED)) {
      return mapping.size();
    }
  }

  /** Lazy {@code create} + {@code close} of an unmodified (never written) 1 GiB VMO. */
  @Benchmark
  public long createClose1g(GigVmo gig) {
    try (ImmutableMapping mapping = ImmutableMapping.create(gig.vmo)) {
      return mapping.size();
    }
  }

  /** Lazy {@code create} + {@code close} of the 256 MiB VMO with data. */
  @Benchmark
  public long createClose256m(DataVmo data) {
    try (ImmutableMapping mapping = ImmutableMapping.create(data.vmo)) {
      return mapping.size();
    }
  }

  /** {@code create(vmo, PAGE_IMMEDIATELY)} ({@code ZX_VM_MAP_RANGE}: every page now) + close. */
  @Benchmark
  public long mapRange256m(DataVmo data) {
    try (ImmutableMapping mapping = ImmutableMapping.create(data.vmo, MapOption.PAGE_IMMEDIATELY)) {
      return mapping.size();
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Sum of all 8-byte words of the mapped 256 MiB snapshot, through {@code segment()}. */
  @Benchmark
  public long read256m(MappedData mapped) {
    return sum(mapped.mapping.segment());
  }

  /** Copying the 256 MiB out with {@code zx_vmo_read} ({@code Vmo.read} into a byte[]). */
  @Benchmark
  public byte copy256m(DataVmo data, CopyBuffer buffer) {
    data.vmo.read(buffer.bytes, 0);
    return buffer.bytes[buffer.bytes.length - 1];
  }

  // ---- one downcall --------------------------------------------------------------------------

  @Benchmark
  public int getSizeCritical(Downcalls d) throws Throwable {
    return (int) Downcalls.Handles.CRITICAL.invokeExact(d.handle, d.out);
  }

  @Benchmark
  public int getSizePlain(Downcalls d) throws Throwable {
    return (int) Downcalls.Handles.PLAIN.invokeExact(d.handle, d.out);
  }
}
