package io.github.zircon4j.vmo;

import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.function.Supplier;

/**
 * The one place where hand-written code calls the generated bindings.
 *
 * <p>Callers must have called {@link ZirconLibrary#ensureLoaded()} first: the bindings resolve each
 * symbol once, when its holder class initialises, and a symbol missing at that moment would break
 * that function for the life of the JVM.
 *
 * <p>The short, non-blocking calls use downcall handles made with {@link
 * Linker.Option#critical(boolean)}: no thread-state transition, which is most of a downcall's cost.
 * zircon's VMO and VMAR calls never call back into Java and never block on another thread of this
 * process, which is what that option requires. {@code zx_vmo_read} and {@code zx_vmo_write} also
 * get heap access, so {@code byte[]} data is copied once, straight from or into the array. {@code
 * zx_object_wait_one} blocks and so goes through the ordinary handle.
 */
final class Syscalls {
  static {
    ZirconLibrary.ensureLoaded();
  }

  /** {@code zx_system_get_page_size()}: constant while the system runs. */
  static final long PAGE_SIZE = Integer.toUnsignedLong(Zircon.zx_system_get_page_size());

  /** {@code zx_vmar_root_self()}: owned by the process runtime, never closed. */
  static final int ROOT_VMAR = Zircon.zx_vmar_root_self();

  private static final MethodHandle VMO_GET_SIZE =
      critical(Zircon.zx_vmo_get_size$address(), Zircon.zx_vmo_get_size$descriptor(), false);
  private static final MethodHandle VMO_CREATE_CHILD =
      critical(
          Zircon.zx_vmo_create_child$address(), Zircon.zx_vmo_create_child$descriptor(), false);
  private static final MethodHandle VMAR_MAP =
      critical(Zircon.zx_vmar_map$address(), Zircon.zx_vmar_map$descriptor(), false);
  private static final MethodHandle VMAR_UNMAP =
      critical(Zircon.zx_vmar_unmap$address(), Zircon.zx_vmar_unmap$descriptor(), false);
  private static final MethodHandle HANDLE_CLOSE =
      critical(Zircon.zx_handle_close$address(), Zircon.zx_handle_close$descriptor(), false);
  private static final MethodHandle VMO_READ =
      critical(Zircon.zx_vmo_read$address(), Zircon.zx_vmo_read$descriptor(), true);
  private static final MethodHandle VMO_WRITE =
      critical(Zircon.zx_vmo_write$address(), Zircon.zx_vmo_write$descriptor(), true);

  /**
   * Out-parameter memory, one block per thread, so the hot path allocates nothing. Slot 0 holds an
   * 8-byte value (size, address), slot 8 a 4-byte handle. Freed by the GC with its thread.
   */
  private static final ThreadLocal<MemorySegment> OUT =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

  private Syscalls() {}

  private static MethodHandle critical(
      MemorySegment address, FunctionDescriptor descriptor, boolean allowHeapAccess) {
    return Linker.nativeLinker()
        .downcallHandle(address, descriptor, Linker.Option.critical(allowHeapAccess));
  }

  /** Page-rounds {@code bytes} up; {@code bytes} must be at most {@code Long.MAX_VALUE - page}. */
  static long roundUpToPage(long bytes) {
    return (bytes + PAGE_SIZE - 1) & -PAGE_SIZE;
  }

  /**
   * Throws for a failed status. The details are only built on failure: formatting them on every
   * successful call would cost more than the syscalls' own Java overhead.
   */
  static void check(int status, String step, Supplier<String> details) {
    if (status != Zircon.ZX_OK()) {
      throw new ZxException(step, status, details.get());
    }
  }

  // ---- Calls that return one value through an out-parameter -----------------------------------

  /** {@code zx_vmo_get_size}; the u64 result may be negative as a Java long (>= 2^63). */
  static long vmoGetSize(int vmo) {
    MemorySegment out = OUT.get();
    int status;
    try {
      // Safety: `out` is 8-byte aligned, 16 bytes long and owned by this thread; the kernel
      // writes one u64 at offset 0 and keeps no reference to it after returning.
      status = (int) VMO_GET_SIZE.invokeExact(vmo, out);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(status, "get VMO size", () -> "vmo handle " + hex(vmo));
    return out.get(ValueLayout.JAVA_LONG, 0);
  }

  /** {@code zx_vmo_create_child}; returns the child's handle, which the caller owns. */
  static int vmoCreateChild(int vmo, int options, long offset, long size) {
    MemorySegment out = OUT.get();
    int status;
    try {
      // Safety: as in vmoGetSize; the kernel writes one handle (u32) at offset 8.
      status = (int) VMO_CREATE_CHILD.invokeExact(vmo, options, offset, size, out.asSlice(8, 4));
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(
        status,
        "create child VMO",
        () ->
            "vmo handle "
                + hex(vmo)
                + ", options "
                + hex(options)
                + ", offset "
                + offset
                + ", size "
                + size);
    return out.get(ValueLayout.JAVA_INT, 8);
  }

  /** {@code zx_vmar_map} into the root VMAR; returns the base address. */
  static long vmarMapRoot(int options, int vmo, long vmoOffset, long length) {
    MemorySegment out = OUT.get();
    int status;
    try {
      // Safety: as in vmoGetSize; the kernel writes one zx_vaddr_t at offset 0. Mapping does not
      // touch any Java memory: the kernel picks a free address range for the new mapping.
      status = (int) VMAR_MAP.invokeExact(ROOT_VMAR, options, 0L, vmo, vmoOffset, length, out);
    } catch (Throwable t) {
      throw rethrow(t);
    }
    check(
        status,
        "map child VMO",
        () -> "options " + hex(options) + ", vmo offset " + vmoOffset + ", length " + length);
    return out.get(ValueLayout.JAVA_LONG, 0);
  }

  // ---- Calls that only return a status -------------------------------------------------------

  /**
   * {@code zx_vmar_unmap} of a mapping this library made. Safety: the caller guarantees that no
   * Java code can reach the range any more (its arena is closing) and that it is exactly one
   * mapping made by {@link #vmarMapRoot}, so no other memory is affected.
   */
  static int vmarUnmapRoot(long address, long length) {
    try {
      return (int) VMAR_UNMAP.invokeExact(ROOT_VMAR, address, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code zx_handle_close}; returns the status (closing is best effort on cleanup paths). */
  static int handleClose(int handle) {
    try {
      return (int) HANDLE_CLOSE.invokeExact(handle);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code zx_vmo_read} into {@code into} (heap or native). Safety: {@code into} is alive for the
   * call (the caller holds it) and exactly {@code into.byteSize()} bytes are written to it.
   */
  static int vmoRead(int vmo, MemorySegment into, long offset) {
    try {
      return (int) VMO_READ.invokeExact(vmo, into, offset, into.byteSize());
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code zx_vmo_write} from {@code data} (heap or native); only reads {@code data}. */
  static int vmoWrite(int vmo, MemorySegment data, long offset) {
    try {
      return (int) VMO_WRITE.invokeExact(vmo, data, offset, data.byteSize());
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static String hex(long value) {
    return "0x" + Long.toHexString(value);
  }

  static String hex(int value) {
    return "0x" + Integer.toHexString(value);
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new AssertionError("a zircon downcall threw a checked exception", t);
  }
}
