package io.github.zircon4j.vmo;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The process's dynamic linker ({@code dlopen}, {@code dlsym}, {@code dlerror}, {@code dlinfo} of
 * libc), called directly so that the loader can ask what is already loaded without loading anything
 * ({@code RTLD_NOLOAD}), open in-memory files without the JDK canonicalising their path, and report
 * the linker's own reason when a load fails.
 *
 * <p>Creating one makes restricted FFM calls: without native access it throws {@link
 * IllegalCallerException}, which {@link ZirconLibrary} turns into its explanation.
 */
final class DynamicLinker {
  /** glibc and musl agree on these values. */
  static final int RTLD_NOW = 2;

  static final int RTLD_NOLOAD = 4;
  private static final int RTLD_DI_LINKMAP = 2;

  /** A pointer to a NUL-terminated string of unknown length (withTargetLayout is restricted). */
  private final AddressLayout cString;

  private final MethodHandle dlopen;
  private final MethodHandle dlsym;
  private final MethodHandle dlerror;
  private final MethodHandle dlinfo;

  private DynamicLinker(SymbolLookup libc, Linker linker) {
    cString =
        ValueLayout.ADDRESS.withTargetLayout(
            MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));
    dlopen =
        linker.downcallHandle(
            find(libc, "dlopen"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    dlsym =
        linker.downcallHandle(
            find(libc, "dlsym"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    dlerror = linker.downcallHandle(find(libc, "dlerror"), FunctionDescriptor.of(cString));
    dlinfo =
        linker.downcallHandle(
            find(libc, "dlinfo"),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS));
  }

  /** Binds libc's dynamic-linker functions; throws IllegalCallerException without native access. */
  static DynamicLinker bind() {
    Linker linker = Linker.nativeLinker();
    return new DynamicLinker(linker.defaultLookup(), linker);
  }

  private static MemorySegment find(SymbolLookup libc, String name) {
    return libc.find(name)
        .orElseThrow(
            () -> new UnsatisfiedLinkError("zircon4j: the C library does not provide " + name));
  }

  /** A library opened through {@code dlopen}, or the linker's reason why it could not be. */
  record Opened(MemorySegment handle, String error) {
    boolean ok() {
      return error == null;
    }
  }

  /**
   * {@code dlopen(name, flags)}. The handle is never closed: the library stays mapped for the life
   * of the process, as the bindings need.
   */
  Opened open(String name, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      // Safety: the name is a NUL-terminated copy that lives until dlopen returns; dlopen keeps
      // its own copy. The returned handle is opaque and only passed back to dlsym and dlinfo.
      MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(name), flags);
      if (handle.equals(MemorySegment.NULL)) {
        return new Opened(null, lastError());
      }
      return new Opened(handle, null);
    } catch (Throwable t) {
      throw propagate(t);
    }
  }

  /** The library already loaded under {@code name}, without loading any file, or {@code null}. */
  MemorySegment openIfLoaded(String name) {
    Opened opened = open(name, RTLD_NOW | RTLD_NOLOAD);
    return opened.ok() ? opened.handle() : null;
  }

  /** The address {@code name} resolves to in {@code handle}'s scope, or {@code NULL}. */
  MemorySegment symbol(MemorySegment handle, String name) {
    try (Arena arena = Arena.ofConfined()) {
      // Safety: `handle` came from dlopen and is never closed; the name lives until dlsym returns.
      // The result is only compared or turned into a downcall by the bindings, never dereferenced.
      return (MemorySegment) dlsym.invokeExact(handle, arena.allocateFrom(name));
    } catch (Throwable t) {
      throw propagate(t);
    }
  }

  /** The path the dynamic linker recorded for {@code handle} (its {@code link_map.l_name}). */
  String pathOf(MemorySegment handle) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
      // Safety: RTLD_DI_LINKMAP stores one pointer into `out` (ours, pointer-sized, freed after
      // this call); it points at the linker's link_map for a library that is never unloaded, whose
      // second field (glibc and musl alike) is its NUL-terminated name.
      int status = (int) dlinfo.invokeExact(handle, RTLD_DI_LINKMAP, out);
      if (status != 0) {
        return "(unknown path: " + lastError() + ")";
      }
      MemorySegment linkMap =
          out.get(ValueLayout.ADDRESS, 0).reinterpret(2 * ValueLayout.ADDRESS.byteSize());
      MemorySegment name = linkMap.get(cString, ValueLayout.ADDRESS.byteSize());
      String path = name.equals(MemorySegment.NULL) ? "" : name.getString(0);
      return path.isEmpty() ? "(the main program)" : path;
    } catch (Throwable t) {
      throw propagate(t);
    }
  }

  private String lastError() throws Throwable {
    // Safety: dlerror returns a NUL-terminated string owned by libc, valid until the next dl* call
    // on this thread; it is copied into a Java string at once.
    MemorySegment message = (MemorySegment) dlerror.invokeExact();
    return message.equals(MemorySegment.NULL) ? "unknown dlopen error" : message.getString(0);
  }

  private static RuntimeException propagate(Throwable t) {
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t);
  }
}
