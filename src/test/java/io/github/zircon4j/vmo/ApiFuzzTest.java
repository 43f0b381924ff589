package io.github.zircon4j.vmo;

import static io.github.zircon4j.vmo.sequences.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.sequences.Gen;
import io.github.zircon4j.vmo.sequences.SequenceCheck;
import io.github.zircon4j.vmo.sequences.Shrinker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the public API in-process: random sequences of calls on {@link Vmo}, {@link
 * ImmutableMapping} and {@link Mapping} with hostile arguments (negative, huge and unaligned
 * numbers, closed objects, closed and foreign arenas, read-only segments, null, handles that are
 * not VMOs, calls from another thread, a close racing a reader). The properties: the JVM survives
 * (no fault reaches the process), every failure is one of the documented exceptions and its message
 * names what was wrong (the argument, or what is closed or on which thread), and after every
 * sequence's objects are closed nothing is left: no VMO keeps a child or a mapping, every handle
 * its objects owned is invalid, mappings and descriptors are back at their baseline, and the leak
 * tracker never had anything to release.
 *
 * <p>CI runs {@value #CI_SEQUENCES} sequences of {@value #STEPS} calls. {@code
 * -Dzircon4j.fuzz.seconds=N} runs sequences for N seconds instead, and {@code -Pstress} ({@code
 * zircon4j.stress=true}) for {@value #STRESS_SECONDS} s; {@code -Dzircon4j.fuzz.seed=0x...} replays
 * one sequence. A failing sequence is shrunk and reported with its seed.
 */
class ApiFuzzTest {
  static final int CI_SEQUENCES = 400;
  static final int STEPS = 40;
  static final int STRESS_SECONDS = 300;

  /**
   * Lines of /proc/self/maps the JVM itself may add in a long run (code heap, the stacks of the
   * thousands of helper threads it started); a leaked mapping is caught exactly, per sequence, by
   * each VMO's num_mappings.
   */
  static final int MAPS_TOLERANCE = 64;

  static {
    ZirconLibrary.ensureLoaded();
  }

  private static final long PAGE = ZxTestSupport.pageSize();

  @Test
  void hostileCallSequencesFailOnlyAsDocumentedAndLeaveNothingBehind() throws Exception {
    boolean proc = ProcessResources.available();
    FuzzSpec spec = new FuzzSpec();
    // Warm up, so that the baseline includes the JVM's and the handle table's steady state.
    SequenceCheck.check("ApiFuzzTest warm-up", "zircon4j.fuzz.warmup.seed", 20, STEPS, spec);
    ProcessResources.releaseEarlierLeaks();
    long maps = proc ? ProcessResources.mapsLines() : 0;
    long fds = proc ? ProcessResources.openFds() : 0;
    long leaksBefore = LeakTracker.releasedLeaks();

    long seconds =
        Long.getLong(
            "zircon4j.fuzz.seconds", Boolean.getBoolean("zircon4j.stress") ? STRESS_SECONDS : 0);
    long start = System.nanoTime();
    long sequences = 0;
    long calls = 0;
    do {
      SequenceCheck.Summary summary =
          SequenceCheck.check("ApiFuzzTest", "zircon4j.fuzz.seed", CI_SEQUENCES, STEPS, spec);
      sequences += summary.sequences();
      calls += summary.actions();
    } while (System.getProperty("zircon4j.fuzz.seed") == null
        && System.nanoTime() - start < seconds * 1_000_000_000L);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    ProcessResources.releaseEarlierLeaks();
    System.out.printf(
        "ApiFuzzTest: %,d sequences, %,d calls in %,d ms (%,d failed as documented);"
            + " maps %d -> %d, fds %d -> %d, leaks released %d%n",
        sequences,
        calls,
        elapsedMs,
        spec.documentedFailures,
        maps,
        proc ? ProcessResources.mapsLines() : 0,
        fds,
        proc ? ProcessResources.openFds() : 0,
        LeakTracker.releasedLeaks() - leaksBefore);
    assertThat(LeakTracker.releasedLeaks() - leaksBefore)
        .as("resources the leak tracker had to release (something was never closed)")
        .isZero();
    if (proc) {
      assertThat(ProcessResources.mapsLines())
          .as("/proc/self/maps lines")
          .isLessThanOrEqualTo(maps + MAPS_TOLERANCE);
      assertThat(ProcessResources.openFds()).as("open file descriptors").isLessThanOrEqualTo(fds);
    }
  }

  // ---- The world: everything a sequence made, closed at its end ------------------------------

  static final class World implements AutoCloseable {
    final List<Vmo> vmos = new ArrayList<>();
    final List<ImmutableMapping> immutables = new ArrayList<>();
    final List<Mapping> mappings = new ArrayList<>();
    final List<Arena> arenas = new ArrayList<>();
    final List<MemorySegment> arenaSegments = new ArrayList<>();
    final List<Integer> releasedHandles = new ArrayList<>();

    /** Every handle value a Vmo of this world owned: all must be invalid once it is closed. */
    final List<Integer> handlesSeen = new ArrayList<>();

    Vmo own(Vmo vmo) {
      handlesSeen.add(vmo.handle());
      vmos.add(vmo);
      return vmo;
    }

    final ExecutorService foreign = Executors.newSingleThreadExecutor();

    <T> T nth(List<T> list, long index) {
      return list.isEmpty() ? null : list.get((int) Math.floorMod(index, list.size()));
    }

    @Override
    public void close() throws Exception {
      foreign.shutdown();
      immutables.forEach(ImmutableMapping::close);
      mappings.forEach(Mapping::close);
      for (Arena arena : arenas) {
        if (arena.scope().isAlive()) {
          arena.close();
        }
      }
      // With every mapping gone, no VMO may keep a child (a snapshot's handle left open) or a
      // mapping (one left mapped).
      for (Vmo vmo : vmos) {
        if (!vmo.isClosed()) {
          VmoInfo info = vmo.info();
          assertThat(info.numChildren())
              .as("children of %s after closing everything", vmo)
              .isZero();
          assertThat(info.numMappings())
              .as("mappings of %s after closing everything", vmo)
              .isZero();
        }
      }
      vmos.forEach(Vmo::close);
      for (int handle : releasedHandles) {
        Vmo.adopt(handle).close();
      }
      for (int handle : handlesSeen) {
        assertThat(ZxTestSupport.rawHandleBasic(handle).status())
            .as("handle 0x%x once its owner is closed", handle)
            .isEqualTo(ZxStatus.ERR_BAD_HANDLE);
      }
    }
  }

  // ---- Calls ---------------------------------------------------------------------------------

  /** The calls; each names the arguments a failure's message may name. */
  enum Op {
    VMO_CREATE("size", "options"),
    VMO_WRITE_ARRAY("offset", "data"),
    VMO_READ_ARRAY("offset", "into"),
    VMO_WRITE_SEGMENT("offset", "data"),
    VMO_READ_SEGMENT("offset", "into", "read-only"),
    VMO_SET_SIZE("size"),
    VMO_QUERY(),
    VMO_SET_NAME("name"),
    VMO_DUPLICATE("rights"),
    VMO_REPLACE("rights"),
    VMO_RELEASE(),
    VMO_ADOPT("handle"),
    VMO_CLOSE(),
    IMMUTABLE_CREATE("offset", "length", "range", "vmo"),
    IMMUTABLE_MAP("offset", "length", "range", "arena", "vmo"),
    IMMUTABLE_ACCESS("offset", "length", "window", "prefetch range", "ByteBuffer"),
    IMMUTABLE_CLOSE(),
    MAPPING_ALLOCATE("size", "name"),
    MAPPING_CREATE("offset", "length", "range", "vmo"),
    MAPPING_MAP("offset", "length", "range", "arena", "vmo"),
    MAPPING_ACCESS("offset", "length", "window", "ByteBuffer", "vmo()"),
    MAPPING_CLOSE(),
    ARENA_NEW(),
    ARENA_CLOSE(),
    FOREIGN_THREAD("offset", "length", "window", "prefetch range", "ByteBuffer", "vmo()"),
    CLOSE_WHILE_READING();

    final List<String> argumentNames;

    Op(String... argumentNames) {
      this.argumentNames = List.of(argumentNames);
    }
  }

  /** One call: which, on what (an index into the world's objects), with which numbers and flags. */
  record Call(Op op, int target, long a, long b, int flags) {
    @Override
    public String toString() {
      return op.name().toLowerCase(Locale.ROOT)
          + "(target="
          + target
          + ", a="
          + a
          + ", b="
          + b
          + ", flags="
          + flags
          + ")";
    }
  }

  /** Numbers a caller might pass: valid ones, edges, and hostile ones. */
  static long hostile(Gen gen) {
    return gen.frequency(
        w(5, () -> gen.between(0L, 4 * PAGE)),
        w(3, () -> gen.between(0L, 4) * PAGE),
        w(
            2,
            () ->
                gen.oneOf(
                    -1L,
                    Long.MIN_VALUE,
                    Long.MAX_VALUE,
                    (long) Integer.MAX_VALUE,
                    PAGE - 1,
                    PAGE + 1,
                    1L << 40,
                    -PAGE,
                    Long.MAX_VALUE - PAGE + 2)));
  }

  /**
   * Sizes of VMOs (created or resized): never huge and valid, since mapping a valid 1 TiB VMO with
   * every page populated is real work, not an error (it made a run spend minutes in the kernel).
   */
  static long vmoSize(Gen gen) {
    return gen.frequency(
        w(8, () -> gen.between(0L, 8 * PAGE)),
        w(1, () -> gen.oneOf(-1L, Long.MIN_VALUE, -PAGE + 1, Long.MAX_VALUE)));
  }

  static final class FuzzSpec implements SequenceCheck.Spec<World, Call> {
    long documentedFailures;

    @Override
    public World newWorld() {
      return new World();
    }

    @Override
    public Call next(World world, Gen gen) {
      Op op = gen.oneOf(Op.values());
      boolean sizesAVmo = op == Op.VMO_CREATE || op == Op.MAPPING_ALLOCATE || op == Op.VMO_SET_SIZE;
      long a = sizesAVmo ? vmoSize(gen) : hostile(gen);
      return new Call(op, gen.between(0, 7), a, hostile(gen), gen.between(0, 255));
    }

    @Override
    public List<Call> simpler(Call call) {
      List<Call> simpler = new ArrayList<>();
      for (long a : Shrinker.towardZero(call.a())) {
        simpler.add(new Call(call.op(), call.target(), a, call.b(), call.flags()));
      }
      for (long b : Shrinker.towardZero(call.b())) {
        simpler.add(new Call(call.op(), call.target(), call.a(), b, call.flags()));
      }
      for (int flags : Shrinker.fewerBits(call.flags())) {
        simpler.add(new Call(call.op(), call.target(), call.a(), call.b(), flags));
      }
      for (int target : Shrinker.towardZero(call.target())) {
        simpler.add(new Call(call.op(), target, call.a(), call.b(), call.flags()));
      }
      return simpler;
    }

    @Override
    public void apply(World world, Call call) throws Exception {
      try {
        run(world, call);
      } catch (ExecutionException onForeignThread) {
        check(call, onForeignThread.getCause());
      } catch (RuntimeException failure) {
        check(call, failure);
      }
    }

    /** Fails unless {@code failure} is documented and its message says what was wrong. */
    void check(Call call, Throwable failure) {
      String message = String.valueOf(failure.getMessage());
      String what = call + " threw " + failure;
      switch (failure) {
        case ZxException zx -> {
          assertThat(zx.step()).as(what).isNotNull();
          assertThat(message).as(what).contains(zx.step().description());
          assertThat(message).as(what).contains(zx.statusName());
        }
        case WrongThreadException wrongThread ->
            assertThat(message.toLowerCase(Locale.ROOT)).as(what).contains("thread");
        case IllegalStateException closed ->
            assertThat(message).as(what).containsAnyOf("closed", "Already closed", "borrows");
        case IllegalArgumentException bad -> namesAnArgument(call, message, what);
        case IndexOutOfBoundsException bad -> namesAnArgument(call, message, what);
        case NullPointerException bad -> namesAnArgument(call, message, what);
        case UnsupportedOperationException tooLarge ->
            assertThat(message).as(what).contains("ByteBuffer");
        default -> throw new AssertionError(what + ": not a documented exception", failure);
      }
      documentedFailures++;
    }

    private static void namesAnArgument(Call call, String message, String what) {
      assertThat(call.op().argumentNames)
          .as(what + ": the message names an argument")
          .anyMatch(message::contains);
    }

    private void run(World world, Call call) throws Exception {
      long a = call.a();
      long b = call.b();
      int flags = call.flags();
      Vmo vmo = world.nth(world.vmos, call.target());
      switch (call.op()) {
        case VMO_CREATE -> {
          VmoOption[] options =
              (flags & 3) == 3
                  ? new VmoOption[] {VmoOption.DISCARDABLE}
                  : (flags & 1) == 1 ? new VmoOption[] {VmoOption.RESIZABLE} : new VmoOption[0];
          world.own(Vmo.create(a, options));
        }
        case VMO_WRITE_ARRAY -> {
          if (vmo != null) {
            vmo.write((flags & 15) == 0 ? null : new byte[(int) Math.floorMod(b, 3 * PAGE)], a);
          }
        }
        case VMO_READ_ARRAY -> {
          if (vmo != null) {
            vmo.read((flags & 15) == 0 ? null : new byte[(int) Math.floorMod(b, 3 * PAGE)], a);
          }
        }
        case VMO_WRITE_SEGMENT -> {
          if (vmo != null) {
            vmo.write(segment(world, flags, b), a);
          }
        }
        case VMO_READ_SEGMENT -> {
          if (vmo != null) {
            vmo.read(segment(world, flags, b), a);
          }
        }
        case VMO_SET_SIZE -> {
          if (vmo != null) {
            vmo.setSize(a);
          }
        }
        case VMO_QUERY -> {
          if (vmo != null) {
            vmo.toString();
            vmo.isClosed();
            switch (flags % 3) {
              case 0 -> vmo.size();
              case 1 -> vmo.info();
              default -> vmo.name();
            }
          }
        }
        case VMO_SET_NAME -> {
          if (vmo != null) {
            vmo.setName(
                switch (flags % 4) {
                  case 0 -> null;
                  case 1 -> "with\0nul";
                  case 2 -> "ünïcødé-".repeat(8);
                  default -> "fuzz";
                });
          }
        }
        case VMO_DUPLICATE -> {
          if (vmo != null) {
            world.own(vmo.duplicate(rights(vmo, flags, a)));
          }
        }
        case VMO_REPLACE -> {
          if (vmo != null) {
            world.own(vmo.replace(rights(vmo, flags, a)));
          }
        }
        case VMO_RELEASE -> {
          if (vmo != null) {
            world.releasedHandles.add(vmo.release());
          }
        }
        case VMO_ADOPT -> {
          if (!world.releasedHandles.isEmpty() && (flags & 1) == 0) {
            world.vmos.add(Vmo.adopt(world.releasedHandles.removeLast()));
          } else {
            // Never a live VMO handle (two owners of one handle is a caller's bug): the root
            // VMAR (a handle of another type), ZX_HANDLE_INVALID, or values no handle has.
            int handle =
                switch (flags % 4) {
                  case 0 -> ZxTestSupport.root();
                  case 1 -> 0;
                  case 2 -> -1;
                  default -> 0x7ffffff3;
                };
            world.vmos.add(Vmo.adopt(handle)); // never succeeds: nothing to record
          }
        }
        case VMO_CLOSE -> {
          if (vmo != null) {
            vmo.close();
            vmo.close();
          }
        }
        case IMMUTABLE_CREATE -> {
          Vmo source = (flags & 16) != 0 ? null : vmo;
          if (source == null && (flags & 16) == 0) {
            return;
          }
          boolean immediately = (flags & 1) != 0;
          boolean shared = (flags & 2) != 0;
          boolean range = (flags & 4) != 0;
          world.immutables.add(
              range
                  ? shared
                      ? ImmutableMapping.create(source, a, b, Paging.shared(immediately))
                      : ImmutableMapping.create(source, a, b, Paging.of(immediately))
                  : shared
                      ? ImmutableMapping.create(source, Paging.shared(immediately))
                      : ImmutableMapping.create(source, Paging.of(immediately)));
        }
        case IMMUTABLE_MAP -> {
          if (vmo != null) {
            Arena arena = arena(world, flags);
            world.arenaSegments.add(
                (flags & 4) != 0
                    ? ImmutableMapping.map(vmo, a, b, arena, Paging.of((flags & 1) != 0))
                    : ImmutableMapping.map(vmo, 0, vmo.size(), arena, Paging.of((flags & 1) != 0)));
          }
        }
        case IMMUTABLE_ACCESS -> {
          ImmutableMapping mapping = world.nth(world.immutables, call.target());
          if (mapping != null) {
            accessImmutable(mapping, flags, a, b);
          }
        }
        case IMMUTABLE_CLOSE -> {
          ImmutableMapping mapping = world.nth(world.immutables, call.target());
          if (mapping != null) {
            mapping.close();
          }
        }
        case MAPPING_ALLOCATE ->
            world.mappings.add(
                (flags & 1) != 0
                    ? Mapping.allocate(a, (flags & 2) != 0 ? "fuzz" : "bad\0name")
                    : Mapping.allocate(a));
        case MAPPING_CREATE -> {
          if (vmo != null) {
            world.mappings.add(Mapping.create(vmo, a, b));
          }
        }
        case MAPPING_MAP -> {
          if (vmo != null) {
            world.arenaSegments.add(Mapping.map(vmo, a, b, arena(world, flags)));
          }
        }
        case MAPPING_ACCESS -> {
          Mapping mapping = world.nth(world.mappings, call.target());
          if (mapping != null) {
            accessMapping(mapping, flags, a, b);
          }
        }
        case MAPPING_CLOSE -> {
          Mapping mapping = world.nth(world.mappings, call.target());
          if (mapping != null) {
            mapping.close();
          }
        }
        case ARENA_NEW ->
            world.arenas.add((flags & 1) != 0 ? Arena.ofShared() : Arena.ofConfined());
        case ARENA_CLOSE -> {
          Arena arena = world.nth(world.arenas, call.target());
          if (arena != null && arena.scope().isAlive()) {
            arena.close();
          }
        }
        case FOREIGN_THREAD -> {
          ImmutableMapping immutable = world.nth(world.immutables, call.target());
          Mapping mapping = world.nth(world.mappings, call.target());
          Future<?> done =
              world.foreign.submit(
                  () -> {
                    if ((flags & 1) != 0 && immutable != null) {
                      accessImmutable(immutable, flags >> 1, a, b);
                    } else if ((flags & 2) != 0 && immutable != null) {
                      immutable.close();
                    } else if (mapping != null) {
                      accessMapping(mapping, flags >> 2, a, b);
                    } else if (vmo != null) {
                      vmo.size(); // any thread may use a Vmo
                    }
                    return null;
                  });
          done.get();
        }
        case CLOSE_WHILE_READING -> closeWhileReading(world, vmo, flags);
      }
    }

    private static ZxRights rights(Vmo vmo, int flags, long a) {
      ZxRights any = ZxRights.fromBits((int) a & ~ZxRights.SAME_RIGHTS_BITS);
      return switch (flags % 3) {
        case 0 -> vmo.isClosed() ? ZxRights.NONE : vmo.rights();
        case 1 -> any; // anything, including rights the handle lacks
        default -> vmo.isClosed() ? ZxRights.NONE : vmo.rights().without(vmo.rights().without(any));
      };
    }

    /** A live, closed, heap, read-only or foreign segment, by {@code flags}. */
    private static MemorySegment segment(World world, int flags, long b) {
      int length = (int) Math.floorMod(b, 3 * PAGE);
      return switch ((flags >> 4) % 6) {
        case 0 -> MemorySegment.ofArray(new byte[length]);
        case 1 -> {
          Arena arena = Arena.ofConfined();
          MemorySegment closed = arena.allocate(Math.max(1, length));
          arena.close();
          yield closed;
        }
        case 2 -> {
          ImmutableMapping mapping = world.nth(world.immutables, flags);
          yield mapping == null || mapping.isClosed() ? null : mapping.segment(); // read-only
        }
        case 3 -> {
          MemorySegment mapped = world.nth(world.arenaSegments, flags);
          yield mapped == null ? MemorySegment.ofArray(new byte[length]) : mapped;
        }
        case 4 -> MemorySegment.ofArray(new byte[length]).asReadOnly();
        default -> {
          Arena arena = arena(world, flags);
          yield arena.allocate(Math.max(1, length));
        }
      };
    }

    /** A live confined or shared arena of the world, a closed one, or a new one. */
    private static Arena arena(World world, int flags) {
      Arena arena = world.nth(world.arenas, flags >> 3);
      if (arena == null || (flags & 2) != 0) {
        arena = (flags & 64) != 0 ? Arena.ofShared() : Arena.ofConfined();
        world.arenas.add(arena);
      }
      return arena;
    }

    private static void accessImmutable(ImmutableMapping mapping, int flags, long a, long b) {
      mapping.toString();
      mapping.isClosed();
      switch (flags % 6) {
        case 0 -> touch(mapping.segment());
        case 1 -> mapping.asByteBuffer().limit();
        case 2 -> mapping.asByteBuffer(a, (int) b).limit();
        case 3 -> mapping.prefetch();
        case 4 -> mapping.prefetch(a, b);
        default -> mapping.size();
      }
    }

    private static void accessMapping(Mapping mapping, int flags, long a, long b) {
      mapping.toString();
      mapping.isClosed();
      switch (flags % 5) {
        case 0 -> {
          MemorySegment segment = mapping.segment();
          if (segment.byteSize() > 0) {
            segment.set(ValueLayout.JAVA_BYTE, Math.floorMod(a, segment.byteSize()), (byte) b);
          }
        }
        case 1 -> mapping.asByteBuffer().limit();
        case 2 -> mapping.asByteBuffer(a, (int) b).limit();
        case 3 -> mapping.vmo().size();
        default -> mapping.size();
      }
    }

    private static void touch(MemorySegment segment) {
      if (segment.byteSize() > 0) {
        segment.get(ValueLayout.JAVA_BYTE, 0);
        segment.get(ValueLayout.JAVA_BYTE, segment.byteSize() - 1);
      }
    }

    /**
     * A shared mapping (or a VMO) closed while another thread reads it: the reader gets {@link
     * IllegalStateException} (or finishes first), never a fault.
     */
    private void closeWhileReading(World world, Vmo vmo, int flags) throws Exception {
      if (vmo == null || vmo.isClosed()) {
        return;
      }
      if ((flags & 1) != 0) {
        ImmutableMapping shared = ImmutableMapping.create(vmo, MapOption.SHARED);
        world.immutables.add(shared);
        Future<?> reader =
            world.foreign.submit(
                () -> {
                  for (int i = 0; i < 1_000; i++) {
                    touch(shared.segment());
                  }
                  return null;
                });
        shared.close();
        reader.get();
      } else {
        Future<?> reader =
            world.foreign.submit(
                () -> {
                  byte[] into = new byte[16];
                  for (int i = 0; i < 1_000; i++) {
                    vmo.read(into, 0);
                  }
                  return null;
                });
        vmo.close();
        reader.get();
      }
    }
  }
}
