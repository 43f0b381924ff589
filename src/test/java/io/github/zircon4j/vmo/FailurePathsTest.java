package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.vmo.testing.InjectedFault;
import io.github.zircon4j.vmo.testing.ZirconFaults;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every failure path of the public API, SQLite style: each public operation of {@link Vmo}, {@link
 * ImmutableMapping} and {@link Mapping} is run once with its syscalls traced, then again for each
 * syscall it made, failing that call (and only that one) with each status zircon's documentation
 * ({@code docs/reference/syscalls/*.md}) allows there. Each case checks:
 *
 * <ul>
 *   <li>the operation throws {@link ZxException} with that status, at the step of that syscall (the
 *       message names both);
 *   <li>nothing is left: no object of the library made by the operation is open, the source VMO has
 *       as many children ({@code ZX_VMO_ZERO_CHILDREN}) and mappings as before, and once the
 *       objects are closed the process has no more handles (by type) and no more file descriptors
 *       than before;
 *   <li>the objects involved are still usable, or closed where the API says the operation closes
 *       them.
 * </ul>
 *
 * <p>The two syscalls the library makes only to release what it owns, {@code zx_handle_close} and
 * {@code zx_vmar_unmap} of its own handle or mapping, have their status ignored by design (as in
 * the Rust original: zircon can fail them only for a handle or range the caller does not own): when
 * they fail, the operation must still succeed and leave its objects in their documented state.
 *
 * <p>The operations are found by reflection; the table below must cover each public method, so a
 * new method fails this test until it is added.
 */
class FailurePathsTest {
  private static final long PAGE = Syscalls.PAGE_SIZE;
  private static final byte[] CONTENT = "zircon".getBytes(StandardCharsets.US_ASCII);

  /** The statuses each syscall's documentation lists (ERRORS), by syscall. */
  private static final Map<String, List<Integer>> DOCUMENTED =
      Map.ofEntries(
          Map.entry(
              "zx_vmo_create",
              List.of(
                  ZxStatus.ERR_INVALID_ARGS, ZxStatus.ERR_OUT_OF_RANGE, ZxStatus.ERR_NO_MEMORY)),
          Map.entry(
              "zx_vmo_get_size",
              List.of(ZxStatus.ERR_BAD_HANDLE, ZxStatus.ERR_WRONG_TYPE, ZxStatus.ERR_INVALID_ARGS)),
          Map.entry(
              "zx_vmo_set_size",
              List.of(
                  ZxStatus.ERR_BAD_HANDLE,
                  ZxStatus.ERR_WRONG_TYPE,
                  ZxStatus.ERR_ACCESS_DENIED,
                  ZxStatus.ERR_UNAVAILABLE,
                  ZxStatus.ERR_OUT_OF_RANGE,
                  ZxStatus.ERR_NO_MEMORY,
                  ZxStatus.ERR_BAD_STATE)),
          Map.entry(
              "zx_vmo_read",
              List.of(
                  ZxStatus.ERR_BAD_HANDLE,
                  ZxStatus.ERR_WRONG_TYPE,
                  ZxStatus.ERR_ACCESS_DENIED,
                  ZxStatus.ERR_INVALID_ARGS,
                  ZxStatus.ERR_NOT_FOUND,
                  ZxStatus.ERR_OUT_OF_RANGE,
                  ZxStatus.ERR_BAD_STATE,
                  ZxStatus.ERR_IO,
                  ZxStatus.ERR_IO_DATA_INTEGRITY)),
          Map.entry(
              "zx_vmo_write",
              List.of(
                  ZxStatus.ERR_BAD_HANDLE,
                  ZxStatus.ERR_WRONG_TYPE,
                  ZxStatus.ERR_ACCESS_DENIED,
                  ZxStatus.ERR_INVALID_ARGS,
                  ZxStatus.ERR_NOT_FOUND,
                  ZxStatus.ERR_NO_MEMORY,
                  ZxStatus.ERR_OUT_OF_RANGE,
                  ZxStatus.ERR_BAD_STATE)),
          Map.entry(
              "zx_vmo_create_child",
              List.of(
                  ZxStatus.ERR_BAD_HANDLE, // not listed, but every handle syscall can say it
                  ZxStatus.ERR_WRONG_TYPE, // the doc's BAD_TYPE, which errors.h lacks
                  ZxStatus.ERR_ACCESS_DENIED,
                  ZxStatus.ERR_INVALID_ARGS,
                  ZxStatus.ERR_OUT_OF_RANGE,
                  ZxStatus.ERR_NO_MEMORY,
                  ZxStatus.ERR_BAD_STATE,
                  ZxStatus.ERR_NOT_SUPPORTED)),
          Map.entry(
              "zx_vmar_map",
              List.of(
                  ZxStatus.ERR_BAD_HANDLE,
                  ZxStatus.ERR_WRONG_TYPE,
                  ZxStatus.ERR_BAD_STATE,
                  ZxStatus.ERR_INVALID_ARGS,
                  ZxStatus.ERR_ACCESS_DENIED,
                  ZxStatus.ERR_NOT_SUPPORTED,
                  ZxStatus.ERR_BUFFER_TOO_SMALL,
                  ZxStatus.ERR_NO_MEMORY,
                  ZxStatus.ERR_OUT_OF_RANGE)),
          Map.entry(
              "zx_vmar_unmap",
              List.of(
                  ZxStatus.ERR_BAD_HANDLE,
                  ZxStatus.ERR_WRONG_TYPE,
                  ZxStatus.ERR_INVALID_ARGS,
                  ZxStatus.ERR_BAD_STATE,
                  ZxStatus.ERR_NOT_FOUND)),
          Map.entry(
              "zx_vmar_op_range",
              List.of(
                  ZxStatus.ERR_ACCESS_DENIED,
                  ZxStatus.ERR_BAD_HANDLE,
                  ZxStatus.ERR_BAD_STATE,
                  ZxStatus.ERR_INVALID_ARGS,
                  ZxStatus.ERR_NOT_SUPPORTED,
                  ZxStatus.ERR_OUT_OF_RANGE,
                  ZxStatus.ERR_WRONG_TYPE)),
          Map.entry("zx_handle_close", List.of(ZxStatus.ERR_BAD_HANDLE)),
          Map.entry(
              "zx_handle_duplicate",
              List.of(
                  ZxStatus.ERR_BAD_HANDLE,
                  ZxStatus.ERR_INVALID_ARGS,
                  ZxStatus.ERR_ACCESS_DENIED,
                  ZxStatus.ERR_NO_MEMORY)),
          Map.entry(
              "zx_handle_replace",
              List.of(ZxStatus.ERR_BAD_HANDLE, ZxStatus.ERR_INVALID_ARGS, ZxStatus.ERR_NO_MEMORY)),
          Map.entry(
              "zx_object_get_info",
              List.of(
                  ZxStatus.ERR_BAD_HANDLE,
                  ZxStatus.ERR_WRONG_TYPE,
                  ZxStatus.ERR_ACCESS_DENIED,
                  ZxStatus.ERR_INVALID_ARGS,
                  ZxStatus.ERR_NO_MEMORY,
                  ZxStatus.ERR_BUFFER_TOO_SMALL,
                  ZxStatus.ERR_NOT_SUPPORTED)),
          Map.entry("zx_object_get_property", propertyErrors()),
          Map.entry("zx_object_set_property", propertyErrors()));

  /** object_get_property.md's list; object_set_property.md refers to it. */
  private static List<Integer> propertyErrors() {
    return List.of(
        ZxStatus.ERR_BAD_HANDLE,
        ZxStatus.ERR_WRONG_TYPE,
        ZxStatus.ERR_ACCESS_DENIED,
        ZxStatus.ERR_INVALID_ARGS,
        ZxStatus.ERR_NO_MEMORY,
        ZxStatus.ERR_BUFFER_TOO_SMALL,
        ZxStatus.ERR_NOT_SUPPORTED);
  }

  /** The objects an operation works on, made before its syscalls are traced or failed. */
  private static final class Fixture implements AutoCloseable {
    Vmo source;
    ImmutableMapping snapshot;
    Mapping mapping;
    Arena arena;
    int rawHandle;
    final List<Object> results = new ArrayList<>();

    Vmo source() {
      if (source == null) {
        source = Vmo.create(2 * PAGE);
        source.write(CONTENT, 0);
      }
      return source;
    }

    ImmutableMapping snapshot() {
      if (snapshot == null) {
        snapshot = ImmutableMapping.create(source());
      }
      return snapshot;
    }

    Mapping mapping() {
      if (mapping == null) {
        mapping = Mapping.allocate(2 * PAGE);
        mapping.segment().copyFrom(MemorySegment.ofArray(CONTENT));
      }
      return mapping;
    }

    Arena arena() {
      if (arena == null) {
        arena = Arena.ofConfined();
      }
      return arena;
    }

    /** A raw VMO handle for {@link Vmo#adopt}, closed here unless adopted. */
    int rawHandle() {
      if (rawHandle == 0) {
        rawHandle = Vmo.create(PAGE).release();
      }
      return rawHandle;
    }

    @Override
    public void close() {
      for (Object result : results) {
        if (result instanceof AutoCloseable closeable) {
          try {
            closeable.close();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        } else if (result instanceof Integer handle) {
          Syscalls.handleClose(handle); // Vmo.release()
        }
      }
      if (rawHandle != 0 && results.stream().noneMatch(r -> r instanceof Vmo v && !v.isClosed())) {
        Syscalls.handleClose(rawHandle); // a failed adopt left it to its owner
      }
      if (arena != null) {
        arena.close();
      }
      if (snapshot != null) {
        snapshot.close();
      }
      if (mapping != null) {
        mapping.close();
      }
      if (source != null) {
        source.close();
      }
    }
  }

  /** What an operation does, and which fixture objects it closes (as its documentation says). */
  private record Operation(
      String signature,
      Consumer<Fixture> setup,
      Function<Fixture, Object> action,
      List<String> closes) {}

  private static final Map<String, Operation> OPERATIONS = new LinkedHashMap<>();

  private static void op(
      String signature, Consumer<Fixture> setup, Function<Fixture, Object> action) {
    op(signature, setup, action, List.of());
  }

  private static void op(
      String signature,
      Consumer<Fixture> setup,
      Function<Fixture, Object> action,
      List<String> closes) {
    OPERATIONS.put(signature, new Operation(signature, setup, action, closes));
  }

  private static Object run(Runnable action) {
    action.run();
    return null;
  }

  static {
    Consumer<Fixture> source = Fixture::source;
    Consumer<Fixture> snapshot = Fixture::snapshot;
    Consumer<Fixture> mapping = Fixture::mapping;
    Consumer<Fixture> none = f -> {};
    op("Vmo.create(long)", none, f -> Vmo.create(PAGE));
    op("Vmo.create(long, int)", none, f -> Vmo.create(PAGE, VmoOption.RESIZABLE));
    op("Vmo.adopt(int)", f -> f.rawHandle(), f -> Vmo.adopt(f.rawHandle));
    op("Vmo.handle()", source, f -> f.source.handle());
    op("Vmo.isClosed()", source, f -> f.source.isClosed());
    op("Vmo.size()", source, f -> f.source.size());
    op(
        "Vmo.setSize(long)",
        f -> {
          f.source = Vmo.create(PAGE, VmoOption.RESIZABLE);
          f.source.write(CONTENT, 0);
        },
        f -> run(() -> f.source.setSize(3 * PAGE)));
    op("Vmo.write(byte[], long)", source, f -> run(() -> f.source.write(CONTENT, PAGE)));
    op(
        "Vmo.write(MemorySegment, long)",
        source,
        f -> run(() -> f.source.write(MemorySegment.ofArray(CONTENT), PAGE)));
    op("Vmo.read(byte[], long)", source, f -> run(() -> f.source.read(new byte[8], 0)));
    op(
        "Vmo.read(MemorySegment, long)",
        source,
        f -> run(() -> f.source.read(MemorySegment.ofArray(new byte[8]), 0)));
    op("Vmo.duplicate(int)", source, f -> f.source.duplicate());
    op(
        "Vmo.replace(int)",
        source,
        f -> f.source.replace(ZxRights.READ.and(ZxRights.MAP).and(ZxRights.DUPLICATE)),
        List.of("source"));
    op("Vmo.release()", source, f -> f.source.release(), List.of("source"));
    op("Vmo.info()", source, f -> f.source.info());
    op("Vmo.name()", source, f -> f.source.name());
    op("Vmo.setName(String)", source, f -> run(() -> f.source.setName("failure paths")));
    op("Vmo.close()", source, f -> run(f.source::close), List.of("source"));
    op("Vmo.toString()", source, f -> f.source.toString());

    op(
        "ImmutableMapping.create(Vmo, Paging.of(boolean))",
        source,
        f -> ImmutableMapping.create(f.source, MapOption.PAGE_IMMEDIATELY));
    op(
        "ImmutableMapping.create(Vmo, long, long, Paging.of(boolean))",
        source,
        f -> ImmutableMapping.create(f.source, PAGE, 8));
    op(
        "ImmutableMapping.create(Vmo, Paging.shared(boolean))",
        source,
        f -> ImmutableMapping.create(f.source, MapOption.SHARED));
    op(
        "ImmutableMapping.create(Vmo, long, long, Paging.shared(boolean))",
        source,
        f ->
            ImmutableMapping.create(
                f.source, 0, PAGE + 1, MapOption.SHARED, MapOption.PAGE_IMMEDIATELY));
    op(
        "ImmutableMapping.map(Vmo, 0, Vmo.size(), Arena, Paging.of(boolean))",
        source.andThen(Fixture::arena),
        f -> ImmutableMapping.map(f.source, 0, f.source.size(), f.arena));
    op(
        "ImmutableMapping.map(Vmo, long, long, Arena, Paging.of(boolean))",
        source.andThen(Fixture::arena),
        f -> ImmutableMapping.map(f.source, 0, 8, f.arena, MapOption.PAGE_IMMEDIATELY));
    op("ImmutableMapping.segment()", snapshot, f -> f.snapshot.segment());
    op("ImmutableMapping.asByteBuffer()", snapshot, f -> f.snapshot.asByteBuffer());
    op("ImmutableMapping.asByteBuffer(long, int)", snapshot, f -> f.snapshot.asByteBuffer(0, 8));
    op("ImmutableMapping.prefetch()", snapshot, f -> run(f.snapshot::prefetch));
    op(
        "ImmutableMapping.prefetch(long, long)",
        snapshot,
        f -> run(() -> f.snapshot.prefetch(1, 8)));
    op("ImmutableMapping.size()", snapshot, f -> f.snapshot.size());
    op("ImmutableMapping.isClosed()", snapshot, f -> f.snapshot.isClosed());
    op("ImmutableMapping.close()", snapshot, f -> run(f.snapshot::close), List.of("snapshot"));
    op("ImmutableMapping.toString()", snapshot, f -> f.snapshot.toString());

    op("Mapping.allocate(long)", none, f -> Mapping.allocate(PAGE + 1));
    op("Mapping.allocate(long, String)", none, f -> Mapping.allocate(PAGE, "failure paths"));
    op("Mapping.create(Vmo, long, long)", source, f -> Mapping.create(f.source, PAGE, PAGE));
    op(
        "Mapping.map(Vmo, long, long, Arena)",
        source.andThen(Fixture::arena),
        f -> Mapping.map(f.source, 0, 2 * PAGE, f.arena));
    op("Mapping.vmo()", mapping, f -> f.mapping.vmo());
    op("Mapping.segment()", mapping, f -> f.mapping.segment());
    op("Mapping.asByteBuffer()", mapping, f -> f.mapping.asByteBuffer());
    op("Mapping.asByteBuffer(long, int)", mapping, f -> f.mapping.asByteBuffer(0, 8));
    op("Mapping.size()", mapping, f -> f.mapping.size());
    op("Mapping.isClosed()", mapping, f -> f.mapping.isClosed());
    op("Mapping.close()", mapping, f -> run(f.mapping::close), List.of("mapping"));
    op("Mapping.toString()", mapping, f -> f.mapping.toString());
  }

  /** The step each syscall is reported at by the operation {@code signature}. */
  private static String step(String signature, String syscall) {
    return switch (syscall) {
      case "zx_vmo_create" -> "create VMO";
      case "zx_vmo_get_size" -> "get VMO size";
      case "zx_vmo_set_size" -> "set VMO size";
      case "zx_vmo_read" -> "read VMO";
      case "zx_vmo_write" -> "write VMO";
      case "zx_vmo_create_child" -> "create child VMO";
      case "zx_vmar_map" -> signature.startsWith("ImmutableMapping") ? "map child VMO" : "map VMO";
      case "zx_vmar_op_range" -> "prefetch mapping";
      case "zx_handle_duplicate" -> "duplicate VMO handle";
      case "zx_handle_replace" -> "replace VMO handle";
      case "zx_object_get_property" -> "get VMO name";
      case "zx_object_set_property" -> "set VMO name";
      case "zx_object_get_info" ->
          signature.startsWith("Vmo.adopt")
              ? "adopt handle"
              : signature.startsWith("Vmo.replace") ? "replace VMO handle" : "get VMO info";
      default ->
          throw new AssertionError(signature + " makes " + syscall + ", which no step names");
    };
  }

  private static String signature(Method method) {
    StringJoiner joiner =
        new StringJoiner(
            ", ", method.getDeclaringClass().getSimpleName() + "." + method.getName() + "(", ")");
    for (Class<?> type : method.getParameterTypes()) {
      joiner.add(type.getSimpleName());
    }
    return joiner.toString();
  }

  @BeforeAll
  static void releaseWhatEarlierTestsLeaked() throws InterruptedException {
    ProcessResources.releaseEarlierLeaks();
  }

  @Test
  void theTableCoversEveryPublicOperation() {
    TreeSet<String> api = new TreeSet<>();
    for (Class<?> type : List.of(Vmo.class, ImmutableMapping.class, Mapping.class)) {
      Arrays.stream(type.getDeclaredMethods())
          .filter(m -> Modifier.isPublic(m.getModifiers()))
          .map(FailurePathsTest::signature)
          .forEach(api::add);
    }
    assertThat(new TreeSet<>(OPERATIONS.keySet())).isEqualTo(api);
  }

  @Test
  void everyFailureOfEverySyscallOfEveryOperationLeavesNothingBehind() {
    List<String> problems = new ArrayList<>();
    Map<String, Integer> casesBySyscall = new LinkedHashMap<>();
    int cases = 0;
    int ignoredByDesign = 0;
    for (Operation operation : OPERATIONS.values()) {
      List<String> syscalls = traced(operation);
      for (int call = 0; call < syscalls.size(); call++) {
        String syscall = syscalls.get(call);
        int earlier = (int) syscalls.subList(0, call).stream().filter(syscall::equals).count();
        for (int status : DOCUMENTED.get(syscall)) {
          String label =
              operation.signature()
                  + ", call "
                  + (call + 1)
                  + " of "
                  + syscalls.size()
                  + " ("
                  + syscall
                  + ") failing with "
                  + ZxStatus.name(status);
          boolean ignored = syscall.equals("zx_handle_close") || syscall.equals("zx_vmar_unmap");
          String problem = failOne(operation, syscall, earlier, status, ignored);
          if (problem != null) {
            problems.add(label + ": " + problem);
          }
          cases++;
          ignoredByDesign += ignored ? 1 : 0;
          casesBySyscall.merge(syscall, 1, Integer::sum);
        }
      }
    }
    System.out.println(
        "FailurePathsTest: "
            + OPERATIONS.size()
            + " operations, "
            + cases
            + " (operation, syscall, status) cases ("
            + ignoredByDesign
            + " of a release whose status is ignored by design); by syscall: "
            + casesBySyscall);
    assertThat(problems).isEmpty();
    assertThat(cases).isGreaterThan(200);
  }

  /** The syscalls {@code operation} makes, in order. */
  private static List<String> traced(Operation operation) {
    try (Fixture fixture = new Fixture()) {
      operation.setup().accept(fixture);
      return ZirconFaults.recordSyscalls(
          () -> fixture.results.add(operation.action().apply(fixture)));
    }
  }

  /** Runs one case; returns what went wrong, or null. */
  private static String failOne(
      Operation operation, String syscall, int skip, int status, boolean ignored) {
    int[] handlesBefore = Syscalls.processHandleCounts();
    long fdsBefore = memfds();
    List<String> problems = new ArrayList<>();
    try (Fixture fixture = new Fixture()) {
      operation.setup().accept(fixture);
      VmoInfo sourceBefore = fixture.source != null ? fixture.source.info() : null;
      LeakTracker.Scope scope = LeakTracker.openScope();
      Throwable thrown = null;
      int remaining;
      try (InjectedFault fault = ZirconFaults.syscall(syscall).skip(skip).failWith(status)) {
        try {
          fixture.results.add(operation.action().apply(fixture));
        } catch (Throwable t) {
          thrown = t;
        }
        remaining = fault.remaining();
      } finally {
        scope.close();
      }
      if (remaining != 0) {
        problems.add("the failing call was not made");
      }
      if (ignored) {
        if (thrown != null) {
          problems.add("a release failure is ignored by design, but it threw " + thrown);
        }
      } else {
        String expected =
            "failed to "
                + step(operation.signature(), syscall)
                + ": "
                + ZxStatus.name(status)
                + " ("
                + status
                + ")";
        if (!(thrown instanceof ZxException e)) {
          problems.add("expected ZxException \"" + expected + " ...\", got " + thrown);
        } else if (e.status() != status || !e.getMessage().startsWith(expected)) {
          problems.add("expected \"" + expected + " ...\", got \"" + e.getMessage() + "\"");
        }
        List<String> unclosed = scope.unclosed();
        if (!unclosed.isEmpty()) {
          problems.add("left open: " + unclosed);
        }
      }
      checkState(operation, fixture, sourceBefore, ignored, problems);
    } catch (Throwable t) {
      problems.add("the case itself failed: " + t);
    }
    if (!ignored) {
      int[] handlesAfter = Syscalls.processHandleCounts();
      for (int type = 0; type < handlesAfter.length; type++) {
        if (handlesAfter[type] > handlesBefore[type]) {
          problems.add(
              "handles of object type "
                  + type
                  + ": "
                  + handlesBefore[type]
                  + " -> "
                  + handlesAfter[type]);
        }
      }
      long fdsAfter = memfds();
      if (fdsAfter > fdsBefore) {
        problems.add("memfds: " + fdsBefore + " -> " + fdsAfter);
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /**
   * The emulation's descriptors: its memfds. (Other descriptors come and go with the JVM, which
   * opens a JAR when it first loads a class from it.)
   */
  private static long memfds() {
    try (var entries = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
      return entries
          .filter(
              fd -> {
                try {
                  return java.nio.file.Files.readSymbolicLink(fd).toString().startsWith("/memfd:");
                } catch (java.io.IOException gone) {
                  return false; // the directory's own descriptor, closed by now
                }
              })
          .count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The fixture's objects are closed where the operation closes them, else still usable. */
  private static void checkState(
      Operation operation,
      Fixture fixture,
      VmoInfo sourceBefore,
      boolean ignored,
      List<String> problems) {
    List<String> closes = operation.closes();
    if (fixture.source != null) {
      boolean closed = fixture.source.isClosed();
      // A failed replace leaves the VMO closed only once zx_handle_replace was called (zircon
      // invalidates the handle then); its rights check fails with the VMO still open.
      if (closes.contains("source")
          && !closed
          && !operation.signature().startsWith("Vmo.replace")) {
        problems.add("the source VMO should be closed");
      }
      if (!closes.contains("source") && closed) {
        problems.add("the source VMO was closed");
      }
      if (!closed) {
        VmoInfo after = fixture.source.info();
        if (!ignored && after.numChildren() != sourceBefore.numChildren()) {
          problems.add(
              "source VMO children: " + sourceBefore.numChildren() + " -> " + after.numChildren());
        }
        if (!ignored && after.numMappings() != sourceBefore.numMappings()) {
          problems.add(
              "source VMO mappings: " + sourceBefore.numMappings() + " -> " + after.numMappings());
        }
        byte[] back = new byte[CONTENT.length];
        fixture.source.read(back, 0);
        if (!Arrays.equals(back, CONTENT)) {
          problems.add("the source VMO lost its contents");
        }
      }
    }
    if (fixture.snapshot != null) {
      checkMappingState(
          "snapshot",
          fixture.snapshot.isClosed(),
          closes.contains("snapshot"),
          () -> fixture.snapshot.segment(),
          problems);
    }
    if (fixture.mapping != null) {
      checkMappingState(
          "mapping",
          fixture.mapping.isClosed(),
          closes.contains("mapping"),
          () -> fixture.mapping.segment(),
          problems);
    }
  }

  private static void checkMappingState(
      String what,
      boolean closed,
      boolean shouldClose,
      java.util.function.Supplier<MemorySegment> segment,
      List<String> problems) {
    if (closed != shouldClose) {
      problems.add("the " + what + (closed ? " was closed" : " should be closed"));
    } else if (!closed) {
      byte[] back = segment.get().asSlice(0, CONTENT.length).toArray(ValueLayout.JAVA_BYTE);
      if (!Arrays.equals(back, CONTENT)) {
        problems.add("the " + what + " lost its contents");
      }
    }
  }
}
