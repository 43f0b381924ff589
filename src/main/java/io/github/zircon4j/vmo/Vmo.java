package io.github.zircon4j.vmo;

import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_handle_basic;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An owned handle to a zircon virtual memory object (VMO).
 *
 * <p>A {@code Vmo} closes its handle in {@link #close()}; use it in try-with-resources. It may be
 * used from any thread. Once closed, every method but {@code close()} throws {@link
 * IllegalStateException}. A method racing a {@code close()} on another thread may instead fail with
 * a {@link ZxException} ({@code ZX_ERR_BAD_HANDLE}); it never touches another object, since zircon
 * does not reuse a handle value at once.
 *
 * <p>Failed syscalls throw {@link ZxException} carrying the status. Arguments are checked before
 * any syscall.
 *
 * <h2>Resources that are never closed</h2>
 *
 * <p>A {@code Vmo} that becomes unreachable without {@link #close()} has its handle closed by a
 * cleaner thread, and an {@link ImmutableMapping} that is never closed is unmapped once nothing can
 * reach it, its segment, or any slice or buffer of it. Each such leak is logged through {@link
 * System.Logger} (logger {@code io.github.zircon4j.vmo}, level {@code WARNING}), once per creation
 * site, so a loop that leaks logs one line. The system property {@code zircon4j.leakDetection} sets
 * what is reported:
 *
 * <ul>
 *   <li>{@code on} (the default): a site is the factory method that made the resource, since
 *       finding the calling line would cost a stack walk on every creation; the message says which
 *       factory leaked and to run with {@code trace} to find the callers;
 *   <li>{@code trace}: every resource records where it was created (a stack trace per creation, for
 *       debugging), a site is the calling line, and the report includes the stack;
 *   <li>{@code off}: leaks are still released, and nothing is reported.
 * </ul>
 *
 * <p>The cleaner is a safety net, not a way to manage VMOs: it runs only after a garbage
 * collection, which file descriptors or handles running out never trigger. Keep a {@code Vmo}
 * reachable (not only its raw {@link #handle()}) for as long as you use the handle.
 */
public final class Vmo implements AutoCloseable {
  private static final int CLOSED = 0; // ZX_HANDLE_INVALID

  private final AtomicInteger handle;
  private final LeakTracker.Tracked tracked;

  /**
   * @param factory the public factory that made it, named in a leak report
   */
  private Vmo(int handle, String factory) {
    this.handle = new AtomicInteger(handle);
    // The release action captures the handle value only, never this object.
    this.tracked = LeakTracker.track(this, "Vmo", factory, () -> Syscalls.handleClose(handle));
  }

  /**
   * Creates a VMO of {@code size} bytes (rounded up to the page size), zero-filled and not
   * resizable ({@code zx_vmo_create(size, 0, &out)}).
   *
   * @param size the size in bytes; 0 is allowed
   * @return the new VMO, owned by the caller
   * @throws IllegalArgumentException if {@code size} is negative
   * @throws ZxException if zircon refuses, e.g. {@code ZX_ERR_OUT_OF_RANGE} for a huge size
   */
  public static Vmo create(long size) {
    return create(size, 0);
  }

  /**
   * Creates a VMO with {@code zx_vmo_create} options, e.g. {@code ZX_VMO_RESIZABLE} (2).
   *
   * @param size the size in bytes, rounded up to the page size; 0 is allowed
   * @param options a bitwise OR of {@code ZX_VMO_*} creation options
   * @return the new VMO, owned by the caller
   * @throws IllegalArgumentException if {@code size} is negative
   * @throws ZxException if zircon refuses, e.g. {@code ZX_ERR_INVALID_ARGS} for unknown options
   */
  public static Vmo create(long size, int options) {
    requireNonNegative("size", size);
    ZirconLibrary.ensureLoaded();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      // Safety: `out` is a 4-byte native segment alive for the call; the kernel writes the new
      // handle there and keeps no reference.
      int status = Zircon.zx_vmo_create(size, options, out);
      Syscalls.check(
          status, "create VMO", () -> "size " + size + ", options " + Syscalls.hex(options));
      return new Vmo(out.get(ValueLayout.JAVA_INT, 0), "Vmo.create(long, int)");
    }
  }

  /**
   * Takes ownership of a VMO handle obtained elsewhere (for example received over a channel). The
   * handle is checked to be a valid VMO handle; the returned object closes it.
   *
   * @param handle a {@code zx_handle_t} to a VMO
   * @return a {@code Vmo} that owns {@code handle}
   * @throws IllegalArgumentException if {@code handle} is {@code ZX_HANDLE_INVALID} (0)
   * @throws ZxException with {@code ZX_ERR_BAD_HANDLE} if it is not a live handle, or {@code
   *     ZX_ERR_WRONG_TYPE} if it is not a VMO; the handle is left untouched then
   */
  public static Vmo adopt(int handle) {
    if (handle == CLOSED) {
      throw new IllegalArgumentException("handle must not be ZX_HANDLE_INVALID (0)");
    }
    ZirconLibrary.ensureLoaded();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = zx_info_handle_basic.allocate(arena);
      // Safety: `info` is a native zx_info_handle_basic_t alive for the call, and its size is
      // passed, so the kernel writes at most that many bytes; actual/avail are optional (NULL).
      int status =
          Zircon.zx_object_get_info(
              handle,
              Zircon.ZX_INFO_HANDLE_BASIC(),
              info,
              info.byteSize(),
              MemorySegment.NULL,
              MemorySegment.NULL);
      Syscalls.check(status, "adopt handle", () -> "handle " + Syscalls.hex(handle));
      int type = zx_info_handle_basic.type(info);
      if (type != Zircon.ZX_OBJ_TYPE_VMO()) {
        throw new ZxException(
            "adopt handle",
            Zircon.ZX_ERR_WRONG_TYPE(),
            "handle " + Syscalls.hex(handle) + " is of object type " + type + ", not a VMO");
      }
    }
    return new Vmo(handle, "Vmo.adopt(int)");
  }

  /**
   * The raw handle, still owned by this object. Do not close it; pass it to zircon calls only while
   * this {@code Vmo} is open.
   *
   * @return the {@code zx_handle_t}
   * @throws IllegalStateException if closed
   */
  public int handle() {
    int value = handle.get();
    if (value == CLOSED) {
      throw new IllegalStateException("Vmo is closed");
    }
    return value;
  }

  /**
   * The current size ({@code zx_vmo_get_size}): always a multiple of the page size.
   *
   * @return the size in bytes
   * @throws IllegalStateException if closed
   */
  public long size() {
    try {
      return Syscalls.vmoGetSize(handle());
    } finally {
      Reference.reachabilityFence(this); // no cleaner may close the handle during the call
    }
  }

  /**
   * Resizes a resizable VMO ({@code zx_vmo_set_size}); the size is rounded up to the page size.
   *
   * @param size the new size in bytes
   * @throws IllegalArgumentException if {@code size} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException with {@code ZX_ERR_UNAVAILABLE} if the VMO is not resizable, or {@code
   *     ZX_ERR_ACCESS_DENIED} without the needed rights
   */
  public void setSize(long size) {
    requireNonNegative("size", size);
    int vmo = handle();
    try {
      Syscalls.check(
          Zircon.zx_vmo_set_size(vmo, size),
          "set VMO size",
          () -> "vmo handle " + Syscalls.hex(vmo) + ", size " + size);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Writes all of {@code data} at {@code offset} ({@code zx_vmo_write}).
   *
   * @param data the bytes to write
   * @param offset where to write them
   * @throws IllegalArgumentException if {@code offset} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException e.g. {@code ZX_ERR_OUT_OF_RANGE} past the end, {@code ZX_ERR_ACCESS_DENIED}
   *     without {@code ZX_RIGHT_WRITE}
   */
  public void write(byte[] data, long offset) {
    Objects.requireNonNull(data, "data");
    write(MemorySegment.ofArray(data), offset);
  }

  /**
   * Writes all of {@code data} (heap or native memory) at {@code offset}.
   *
   * @param data the bytes to write
   * @param offset where to write them
   * @throws IllegalArgumentException if {@code offset} is negative
   * @throws IllegalStateException if closed, or if {@code data}'s arena is closed
   * @throws ZxException e.g. {@code ZX_ERR_OUT_OF_RANGE} past the end
   */
  public void write(MemorySegment data, long offset) {
    Objects.requireNonNull(data, "data");
    requireNonNegative("offset", offset);
    requireAlive("data", data);
    int vmo = handle();
    // Safety: a segment of a closed arena fails the downcall before it runs; otherwise `data`
    // is alive for the call and the kernel reads exactly data.byteSize() bytes from it.
    try {
      Syscalls.check(
          Syscalls.vmoWrite(vmo, data, offset),
          "write VMO",
          () -> ioDetails(vmo, offset, data.byteSize()));
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Fills {@code into} with the bytes at {@code offset} ({@code zx_vmo_read}).
   *
   * @param into the array to fill completely
   * @param offset where to read from
   * @throws IllegalArgumentException if {@code offset} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException e.g. {@code ZX_ERR_OUT_OF_RANGE} past the end, {@code ZX_ERR_ACCESS_DENIED}
   *     without {@code ZX_RIGHT_READ}
   */
  public void read(byte[] into, long offset) {
    Objects.requireNonNull(into, "into");
    read(MemorySegment.ofArray(into), offset);
  }

  /**
   * Fills {@code into} (heap or native memory) with the bytes at {@code offset}.
   *
   * @param into the segment to fill completely; must be writable
   * @param offset where to read from
   * @throws IllegalArgumentException if {@code offset} is negative or {@code into} is read-only
   * @throws IllegalStateException if closed, or if {@code into}'s arena is closed
   * @throws ZxException e.g. {@code ZX_ERR_OUT_OF_RANGE} past the end
   */
  public void read(MemorySegment into, long offset) {
    Objects.requireNonNull(into, "into");
    requireNonNegative("offset", offset);
    if (into.isReadOnly()) {
      throw new IllegalArgumentException("into is a read-only segment");
    }
    requireAlive("into", into);
    int vmo = handle();
    // Safety: `into` is writable and alive for the call; the kernel writes exactly
    // into.byteSize() bytes to it.
    try {
      Syscalls.check(
          Syscalls.vmoRead(vmo, into, offset),
          "read VMO",
          () -> ioDetails(vmo, offset, into.byteSize()));
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Duplicates the handle ({@code zx_handle_duplicate}) with the same or fewer rights.
   *
   * @param rights a subset of this handle's rights, or {@code ZX_RIGHT_SAME_RIGHTS}
   * @return a new {@code Vmo} owning the new handle
   * @throws IllegalStateException if closed
   * @throws ZxException with {@code ZX_ERR_ACCESS_DENIED} without {@code ZX_RIGHT_DUPLICATE}, or
   *     {@code ZX_ERR_INVALID_ARGS} if {@code rights} is not a subset
   */
  public Vmo duplicate(int rights) {
    int vmo = handle();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      // Safety: `out` is a 4-byte native segment alive for the call.
      int status = Zircon.zx_handle_duplicate(vmo, rights, out);
      Syscalls.check(
          status,
          "duplicate VMO handle",
          () -> "vmo handle " + Syscalls.hex(vmo) + ", rights " + Syscalls.hex(rights));
      return new Vmo(out.get(ValueLayout.JAVA_INT, 0), "Vmo.duplicate(int)");
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Closes the handle. Idempotent; mappings made from this VMO stay valid (they hold their own
   * reference to their snapshot).
   */
  @Override
  public void close() {
    int value = handle.getAndSet(CLOSED);
    if (value != CLOSED) {
      // The status is ignored: the handle came from zircon and was owned by us, so BAD_HANDLE is
      // impossible unless someone closed it behind our back, and there is nothing to undo.
      Syscalls.handleClose(value);
      tracked.closed();
    }
  }

  @Override
  public String toString() {
    int value = handle.get();
    return value == CLOSED ? "Vmo[closed]" : "Vmo[handle=" + Syscalls.hex(value) + "]";
  }

  /** The details of a failed read or write. */
  private static String ioDetails(int vmo, long offset, long length) {
    return "vmo handle " + Syscalls.hex(vmo) + ", offset " + offset + ", length " + length;
  }

  /**
   * Names the argument when its arena is already closed (the downcall would only say "Already
   * closed"). A shared arena closed after this check still fails the downcall safely.
   */
  private static void requireAlive(String name, MemorySegment segment) {
    if (!segment.scope().isAlive()) {
      throw new IllegalStateException(name + " is a segment of a closed arena");
    }
  }

  static void requireNonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, but is " + value);
    }
  }
}
