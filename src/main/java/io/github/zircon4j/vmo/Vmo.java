package io.github.zircon4j.vmo;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An owned handle to a zircon virtual memory object (VMO).
 *
 * <p>A {@code Vmo} closes its handle in {@link #close()}; use it in try-with-resources. It may be
 * used from any thread. Once closed (or {@linkplain #release() released} or {@linkplain
 * #replace(int) replaced}), every method but {@code close()}, {@link #isClosed()} and {@code
 * toString()} throws {@link IllegalStateException}. A method racing a {@code close()} on another
 * thread may instead fail with a {@link ZxException} ({@code ZX_ERR_BAD_HANDLE}); it never touches
 * another object, since zircon does not reuse a handle value at once.
 *
 * <p>Each {@code Vmo} is the only owner of its handle: {@link #adopt(int)} takes ownership of a raw
 * handle, and {@link #release()} gives it up. Two owners of one handle value (adopting a handle
 * twice, or adopting {@link #handle()} of another {@code Vmo}) is a bug: the first {@code close()}
 * invalidates the handle under the other. For a second owner, {@link #duplicate(int)} the handle.
 *
 * <p>Failed syscalls throw {@link ZxException} carrying the status and the step. Arguments are
 * checked before any syscall. Rights and options are the constants of {@link ZxRights} and {@link
 * VmoOptions}.
 *
 * <h2>Resources that are never closed</h2>
 *
 * <p>A {@code Vmo} that becomes unreachable without {@link #close()} has its handle closed by a
 * cleaner thread, and an {@link ImmutableMapping} or {@link Mapping} that is never closed is
 * unmapped once nothing can reach it, its segment, or any slice or buffer of it. Each such leak is
 * logged through {@link System.Logger} (logger {@code io.github.zircon4j.vmo}, level {@code
 * WARNING}), once per creation site, so a loop that leaks logs one line. The system property {@code
 * zircon4j.leakDetection} sets what is reported:
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

  /** zircon keeps at most ZX_MAX_NAME_LEN - 1 bytes of a name (the last byte is its NUL). */
  private static final int MAX_NAME_BYTES = 31;

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
   * resizable ({@code zx_vmo_create(size, 0, &out)}). Its handle has {@link ZxRights#DEFAULT_VMO}.
   *
   * @param size the size in bytes; 0 is allowed
   * @return the new VMO, owned by the caller
   * @throws IllegalArgumentException if {@code size} is negative
   * @throws ZxException at step "create VMO" if zircon refuses, such as {@code ZX_ERR_OUT_OF_RANGE}
   *     for a huge size
   */
  public static Vmo create(long size) {
    return create(size, 0);
  }

  /**
   * Creates a VMO with {@code zx_vmo_create} options, such as {@link VmoOptions#RESIZABLE}.
   *
   * @param size the size in bytes, rounded up to the page size; 0 is allowed
   * @param options a bitwise OR of {@link VmoOptions} constants, or 0
   * @return the new VMO, owned by the caller
   * @throws IllegalArgumentException if {@code size} is negative
   * @throws ZxException at step "create VMO" if zircon refuses, such as {@code ZX_ERR_INVALID_ARGS}
   *     for unknown options
   */
  public static Vmo create(long size, int options) {
    requireNonNegative("size", size);
    ZirconLibrary.ensureLoaded();
    return new Vmo(Syscalls.vmoCreate(size, options), "Vmo.create(long, int)");
  }

  /**
   * Takes ownership of a VMO handle obtained elsewhere (for example received over a channel, or
   * from {@link #release()}). The handle is checked to be a valid VMO handle; the returned object
   * closes it. From now on the returned {@code Vmo} is the handle's only owner: do not close the
   * raw value, and do not adopt it again (two owners of one handle is a bug; see the class
   * documentation).
   *
   * @param handle a {@code zx_handle_t} to a VMO
   * @return a {@code Vmo} that owns {@code handle}
   * @throws IllegalArgumentException if {@code handle} is {@code ZX_HANDLE_INVALID} (0)
   * @throws ZxException at step "adopt handle" with {@code ZX_ERR_BAD_HANDLE} if it is not a live
   *     handle, or {@code ZX_ERR_WRONG_TYPE} if it is not a VMO; the handle is left untouched then
   */
  public static Vmo adopt(int handle) {
    if (handle == CLOSED) {
      throw new IllegalArgumentException("handle must not be ZX_HANDLE_INVALID (0)");
    }
    ZirconLibrary.ensureLoaded();
    Syscalls.vmoHandleRights(handle, "adopt handle");
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
      throw closed();
    }
    return value;
  }

  /**
   * Whether this object no longer owns a handle: after {@link #close()}, {@link #release()} or
   * {@link #replace(int)}.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return handle.get() == CLOSED;
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
   * @throws ZxException at step "set VMO size": {@code ZX_ERR_UNAVAILABLE} if the VMO is not
   *     resizable, {@code ZX_ERR_ACCESS_DENIED} without {@link ZxRights#WRITE} and {@link
   *     ZxRights#RESIZE}
   */
  public void setSize(long size) {
    requireNonNegative("size", size);
    try {
      Syscalls.vmoSetSize(handle(), size);
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
   * @throws ZxException at step "write VMO": {@code ZX_ERR_OUT_OF_RANGE} past the end, {@code
   *     ZX_ERR_ACCESS_DENIED} without {@link ZxRights#WRITE}
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
   * @throws ZxException at step "write VMO", such as {@code ZX_ERR_OUT_OF_RANGE} past the end
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
   * @throws ZxException at step "read VMO": {@code ZX_ERR_OUT_OF_RANGE} past the end, {@code
   *     ZX_ERR_ACCESS_DENIED} without {@link ZxRights#READ}
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
   * @throws ZxException at step "read VMO", such as {@code ZX_ERR_OUT_OF_RANGE} past the end
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
   * Duplicates the handle ({@code zx_handle_duplicate}) with the same or fewer rights; this {@code
   * Vmo} stays open.
   *
   * @param rights a subset of this handle's rights (a bitwise OR of {@link ZxRights}), or {@link
   *     ZxRights#SAME_RIGHTS}
   * @return a new {@code Vmo} owning the new handle
   * @throws IllegalStateException if closed
   * @throws ZxException at step "duplicate VMO handle": {@code ZX_ERR_ACCESS_DENIED} without {@link
   *     ZxRights#DUPLICATE}, or {@code ZX_ERR_INVALID_ARGS} if {@code rights} is not a subset
   */
  public Vmo duplicate(int rights) {
    try {
      return new Vmo(Syscalls.handleDuplicate(handle(), rights), "Vmo.duplicate(int)");
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Replaces the handle with one of the same or fewer rights ({@code zx_handle_replace}), for
   * handing on a VMO with less authority. This {@code Vmo} is closed afterwards and the returned
   * one owns the new handle. Unlike {@link #duplicate(int)}, it needs no {@link ZxRights#DUPLICATE}
   * right.
   *
   * <p>zircon invalidates the old handle even when the replacement fails, so this method first
   * checks that {@code rights} is a subset: a wrong {@code rights} throws and leaves this {@code
   * Vmo} open.
   *
   * @param rights a subset of this handle's rights (a bitwise OR of {@link ZxRights}), or {@link
   *     ZxRights#SAME_RIGHTS}
   * @return a new {@code Vmo} owning the replacement handle
   * @throws IllegalArgumentException if {@code rights} has a right this handle lacks; this {@code
   *     Vmo} stays open
   * @throws IllegalStateException if closed
   * @throws ZxException at step "replace VMO handle", such as {@code ZX_ERR_BAD_HANDLE} for a
   *     handle closed behind this object's back
   */
  public Vmo replace(int rights) {
    int vmo = handle();
    try {
      if (rights != ZxRights.SAME_RIGHTS) {
        requireSubset(rights, Syscalls.vmoHandleRights(vmo, "replace VMO handle"));
      }
    } finally {
      Reference.reachabilityFence(this);
    }
    if (!handle.compareAndSet(vmo, CLOSED)) {
      throw closed(); // closed, released or replaced by another thread meanwhile
    }
    tracked.closed(); // the handle is zircon's to invalidate now, not the cleaner's to close
    return new Vmo(Syscalls.handleReplace(vmo, rights), "Vmo.replace(int)");
  }

  private static void requireSubset(int rights, int held) {
    if ((rights & ~held) != 0) {
      throw new IllegalArgumentException(
          "rights "
              + ZxRights.toString(rights)
              + " must be a subset of the handle's rights "
              + ZxRights.toString(held)
              + " (or ZxRights.SAME_RIGHTS); missing "
              + ZxRights.toString(rights & ~held));
    }
  }

  /**
   * Gives up ownership of the handle and returns it: this {@code Vmo} is closed afterwards without
   * closing the handle, and {@link #close()} does nothing. The caller now owns the raw handle and
   * must close it (or pass it to {@link #adopt(int)} or to a zircon call that takes ownership).
   *
   * @return the raw {@code zx_handle_t}
   * @throws IllegalStateException if already closed
   */
  public int release() {
    int value = handle.getAndSet(CLOSED);
    if (value == CLOSED) {
      throw closed();
    }
    tracked.closed(); // the caller owns the handle now: no cleaner may close it
    return value;
  }

  /**
   * Reads what zircon knows about the VMO ({@code zx_object_get_info(ZX_INFO_VMO)}): its koid,
   * name, size, parent, children, mappings, committed memory and this handle's rights. No right is
   * needed.
   *
   * @return a snapshot of the VMO's information
   * @throws IllegalStateException if closed
   * @throws ZxException at step "get VMO info"
   */
  public VmoInfo info() {
    try {
      return Syscalls.vmoInfo(handle());
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * The VMO's name ({@code zx_object_get_property(ZX_PROP_NAME)}), as set by {@link
   * #setName(String)}, {@link Mapping#allocate(long, String)} or whoever created the VMO.
   *
   * @return the name, empty if none was set
   * @throws IllegalStateException if closed
   * @throws ZxException at step "get VMO name": {@code ZX_ERR_ACCESS_DENIED} without {@link
   *     ZxRights#GET_PROPERTY}
   */
  public String name() {
    try {
      return Syscalls.objectName(handle());
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Names the VMO ({@code zx_object_set_property(ZX_PROP_NAME)}); the name shows in {@link #info()}
   * and in zircon's memory diagnostics. zircon keeps at most 31 bytes: a longer name is truncated
   * to the longest prefix of whole characters that fits in 31 bytes of UTF-8 (for ASCII, exactly
   * zircon's truncation). An empty name clears it.
   *
   * @param name the new name; must not contain NUL ({@code '\0'})
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} contains NUL
   * @throws IllegalStateException if closed
   * @throws ZxException at step "set VMO name": {@code ZX_ERR_ACCESS_DENIED} without {@link
   *     ZxRights#SET_PROPERTY}
   */
  public void setName(String name) {
    byte[] bytes = requireValidName(Objects.requireNonNull(name, "name"));
    try {
      Syscalls.setObjectName(handle(), bytes);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * The bytes zircon will keep of {@code name}: its UTF-8 encoding, cut after the last whole
   * character that fits in {@code ZX_MAX_NAME_LEN - 1} (31) bytes.
   */
  static byte[] requireValidName(String name) {
    if (name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "name must not contain NUL, but has one at index " + name.indexOf('\0') + ": " + name);
    }
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    int limit = MAX_NAME_BYTES;
    if (utf8.length <= limit) {
      return utf8;
    }
    while ((utf8[limit] & 0xC0) == 0x80) {
      limit--; // utf8[limit] continues a character that started before it: cut before that one
    }
    return Arrays.copyOf(utf8, limit);
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

  /**
   * Shows the raw handle, or that the object is closed; makes no syscall.
   *
   * @return {@code "Vmo[handle=0x...]"} or {@code "Vmo[closed]"}
   */
  @Override
  public String toString() {
    int value = handle.get();
    return value == CLOSED ? "Vmo[closed]" : "Vmo[handle=0x" + Integer.toHexString(value) + "]";
  }

  private static IllegalStateException closed() {
    return new IllegalStateException("Vmo is closed");
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
