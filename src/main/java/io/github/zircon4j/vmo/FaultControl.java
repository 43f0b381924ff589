package io.github.zircon4j.vmo;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The injected-failure controls of zircon4j's host emulation ({@code zircon4j_fault_*}, declared in
 * {@code native-headers/zircon4j/fault.h}), found by name in the loaded zircon library.
 *
 * <p>They are not zircon's and not in the generated bindings: a zircon library without them (the
 * vDSO on Fuchsia, or another {@code libzircon.so}) is not the emulation, and {@link #instance()}
 * then throws {@link UnsupportedOperationException} saying so. All controls act on the calling OS
 * thread only.
 */
final class FaultControl {
  static final int MATCH_HANDLE = 1;
  static final int MATCH_OPTION = 2;

  private static final String ARM = "zircon4j_fault_arm";

  private final MethodHandle arm;
  private final MethodHandle disarm;
  private final MethodHandle remaining;
  private final MethodHandle reset;
  private final MethodHandle traceStart;
  private final MethodHandle traceStop;
  private final List<String> syscalls;

  private FaultControl(Lookup lookup) throws Throwable {
    Linker linker = Linker.nativeLinker();
    ValueLayout i32 = ValueLayout.JAVA_INT;
    arm =
        linker.downcallHandle(
            lookup.find(ARM),
            FunctionDescriptor.of(
                i32,
                ValueLayout.ADDRESS,
                i32,
                i32,
                i32,
                i32,
                i32,
                ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS));
    disarm =
        linker.downcallHandle(
            lookup.find("zircon4j_fault_disarm"),
            FunctionDescriptor.of(i32, i32, ValueLayout.ADDRESS));
    remaining =
        linker.downcallHandle(
            lookup.find("zircon4j_fault_remaining"),
            FunctionDescriptor.of(i32, i32, ValueLayout.ADDRESS));
    reset = linker.downcallHandle(lookup.find("zircon4j_fault_reset"), FunctionDescriptor.ofVoid());
    traceStart =
        linker.downcallHandle(
            lookup.find("zircon4j_fault_trace_start"), FunctionDescriptor.of(i32));
    traceStop =
        linker.downcallHandle(
            lookup.find("zircon4j_fault_trace_stop"),
            FunctionDescriptor.of(
                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    MethodHandle name =
        linker.downcallHandle(
            lookup.find("zircon4j_fault_syscall_name"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, i32));
    List<String> names = new ArrayList<>();
    for (int i = 0; ; i++) {
      // Safety: the result is NULL or a NUL-terminated string literal of the library, which is
      // never unloaded; it is copied at once and never written.
      MemorySegment chars = (MemorySegment) name.invokeExact(i);
      if (chars.equals(MemorySegment.NULL)) {
        break;
      }
      names.add(chars.reinterpret(64).getString(0));
    }
    syscalls = List.copyOf(names);
  }

  /** Symbols of the loaded zircon library. */
  private interface Lookup {
    MemorySegment find(String name);
  }

  private static final class Holder {
    static final Object INSTANCE = load();

    private static Object load() {
      ZirconLibrary.ensureLoaded();
      DynamicLinker linker = DynamicLinker.bind();
      MemorySegment library = linker.openIfLoaded(ZirconLibrary.SONAME);
      if (library == null || linker.symbol(library, ARM).equals(MemorySegment.NULL)) {
        return new UnsupportedOperationException(
            "zircon4j: injected failures need zircon4j's host emulation of zircon, but the zircon"
                + " library in use ("
                + ZirconLibrary.origin()
                + ") does not define "
                + ARM
                + ". On Fuchsia, syscalls cannot be made to fail on purpose: run such tests on"
                + " Linux with the host emulation bundled in the zircon4j JAR (or with"
                + " -Dzircon4j.library naming a libzircon.so built from its src/host/c).");
      }
      try {
        return new FaultControl(
            symbol -> {
              MemorySegment address = linker.symbol(library, symbol);
              if (address.equals(MemorySegment.NULL)) {
                throw new UnsupportedOperationException(
                    "zircon4j: the host emulation in use ("
                        + ZirconLibrary.origin()
                        + ") defines "
                        + ARM
                        + " but not "
                        + symbol
                        + ": it is older than this JAR; use the emulation bundled with it");
              }
              return address;
            });
      } catch (UnsupportedOperationException e) {
        return e;
      } catch (Throwable t) {
        throw new IllegalStateException("zircon4j: binding the fault controls failed", t);
      }
    }
  }

  /**
   * The controls of the emulation in use.
   *
   * @throws UnsupportedOperationException if the zircon library in use is not the emulation
   */
  static FaultControl instance() {
    Object instance = Holder.INSTANCE;
    if (instance instanceof UnsupportedOperationException unsupported) {
      throw new UnsupportedOperationException(unsupported.getMessage(), unsupported);
    }
    return (FaultControl) instance;
  }

  /** The syscalls that can be failed and traced, in the emulation's order. */
  List<String> syscalls() {
    return syscalls;
  }

  /** {@code zircon4j_fault_arm}; returns the fault's id, or throws for the status it returned. */
  int arm(String syscall, int status, int skip, int count, int match, int handle, long option) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment id = arena.allocate(ValueLayout.JAVA_INT);
      // Safety: the name is a NUL-terminated copy and `id` a 4-byte cell, both alive for the
      // call; the emulation copies what it needs and keeps neither pointer.
      int result =
          (int)
              arm.invokeExact(
                  arena.allocateFrom(syscall), status, skip, count, match, handle, option, id);
      Syscalls.check(result, ZxException.Step.ARM_INJECTED_FAILURE, () -> "syscall " + syscall);
      return id.get(ValueLayout.JAVA_INT, 0);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** The failures fault {@code id} has left, or -1 if this thread has no such fault. */
  int remaining(int id) {
    return query(remaining, id);
  }

  /** Removes fault {@code id}; returns the failures it had left, or -1 if there was none. */
  int disarm(int id) {
    return query(disarm, id);
  }

  private static int query(MethodHandle function, int id) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
      // Safety: `count` is a 4-byte cell alive for the call; the emulation writes it only.
      int result = (int) function.invokeExact(id, count);
      return result == ZxStatus.OK ? count.get(ValueLayout.JAVA_INT, 0) : -1;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** Removes every fault of this thread and ends its trace. */
  void reset() {
    try {
      reset.invokeExact();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** Starts recording this thread's syscalls. */
  void traceStart() {
    try {
      Syscalls.check(
          (int) traceStart.invokeExact(), ZxException.Step.START_SYSCALL_TRACE, () -> "");
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  /** Ends this thread's trace; returns the syscalls it recorded, in order. */
  List<String> traceStop() {
    int capacity = 4096;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment indexes = arena.allocate(ValueLayout.JAVA_INT, capacity);
      // Safety: `indexes` holds `capacity` u32 cells and that capacity is passed: the emulation
      // writes at most that many.
      long recorded = (long) traceStop.invokeExact(indexes, (long) capacity);
      if (recorded > capacity) {
        throw new IllegalStateException(
            "zircon4j: the traced action made "
                + recorded
                + " syscalls; a trace keeps at most "
                + capacity);
      }
      List<String> calls = new ArrayList<>((int) recorded);
      for (int i = 0; i < recorded; i++) {
        calls.add(syscalls.get(indexes.getAtIndex(ValueLayout.JAVA_INT, i)));
      }
      return calls;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }
}
