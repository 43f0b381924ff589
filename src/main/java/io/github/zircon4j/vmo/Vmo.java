package io.github.zircon4j.vmo;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An owned handle to a zircon virtual memory object (VMO): the Java counterpart of Rust's {@code
 * zx::Vmo}.
 *
 * <p>A {@code Vmo} closes its handle in {@link #close()}; use it in try-with-resources. It may be
 * used from any thread. Once closed (or {@linkplain #release() released} or {@linkplain
 * #replace(ZxRights) replaced}), every method but {@code close()}, {@link #isClosed()} and {@code
 * toString()} throws {@link IllegalStateException}. A method racing a {@code close()} on another
 * thread may instead fail with a {@link ZxException} ({@code ZX_ERR_BAD_HANDLE}); it never touches
 * another object, since zircon does not reuse a handle value at once.
 *
 * <p>Each {@code Vmo} is the only owner of its handle: {@link #adopt(int)} takes ownership of a raw
 * handle, and {@link #release()} gives it up. Two owners of one handle value (adopting a handle
 * twice, or adopting {@link #handle()} of another {@code Vmo}) is a bug: the first {@code close()}
 * invalidates the handle under the other. For a second owner, {@link #duplicate()} the handle. The
 * VMO of a {@link Mapping#allocate} mapping belongs to that mapping: its {@code close()}, {@code
 * release()} and {@code replace()} throw {@link IllegalStateException} naming the mapping.
 *
 * <p>Arguments are checked before any syscall; a failed syscall throws {@link ZxException} with the
 * {@linkplain ZxException#step() step} and status. Each method names the syscalls it makes and the
 * {@link ZxRights} the handle needs. A {@code null} argument throws {@link NullPointerException}
 * naming it.
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
 *   <li>{@code on} (the default): a site is the public method that made the resource (such as
 *       {@code Vmo.create}), since finding the calling line would cost a stack walk on every
 *       creation; the message says which method leaked and to run with {@code trace} to find the
 *       callers;
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

  /** The mapping that owns this VMO (Mapping.allocate), or null when the caller owns it. */
  private volatile Object owner;

  /**
   * @param method the public method that made it, named in a leak report
   */
  private Vmo(int handle, String method) {
    this.handle = new AtomicInteger(handle);
    // The release action captures the handle value only, never this object.
    this.tracked = LeakTracker.track(this, "Vmo", method, () -> Syscalls.handleClose(handle));
  }

  /**
   * Creates a VMO of {@code size} bytes, rounded up to the {@linkplain #pageSize() page size},
   * zero-filled ({@code zx_vmo_create}). Its handle has {@link ZxRights#DEFAULT_VMO}, plus {@link
   * ZxRights#RESIZE} if {@link VmoOption#RESIZABLE}. Its content size is {@code size}.
   *
   * @param size the size in bytes; 0 is allowed
   * @param options {@link VmoOption#RESIZABLE}, {@link VmoOption#DISCARDABLE}, or none
   * @return the new VMO, owned by the caller
   * @throws NullPointerException if {@code options} or one of them is null
   * @throws IllegalArgumentException if {@code size} is negative
   * @throws ZxException at {@link ZxException.Step#CREATE_VMO} if zircon refuses, such as {@code
   *     ZX_ERR_OUT_OF_RANGE} for a huge size or {@code ZX_ERR_NOT_SUPPORTED} for {@code
   *     DISCARDABLE} on the host emulation
   */
  public static Vmo create(long size, VmoOption... options) {
    int bits = VmoOption.bitsOf(Objects.requireNonNull(options, "options"));
    requireNonNegative("size", size);
    ZirconLibrary.ensureLoaded();
    return new Vmo(Syscalls.vmoCreate(size, bits), "Vmo.create");
  }

  /**
   * The system's page size in bytes ({@code zx_system_get_page_size}, read once): the unit VMO
   * sizes are rounded to, and what offsets of {@link Vmo#snapshot}, {@link Vmo#slice} and mapping
   * ranges must be multiples of. Loads the zircon library if it is not loaded yet.
   *
   * @return the page size, a power of two (4096 on current Fuchsia builds and most Linux hosts)
   */
  public static long pageSize() {
    ZirconLibrary.ensureLoaded();
    return Syscalls.PAGE_SIZE;
  }

  /**
   * Takes ownership of a VMO handle obtained elsewhere (for example received over a channel, or
   * from {@link #release()}). The handle is checked to be a valid VMO handle ({@code
   * zx_object_get_info(ZX_INFO_HANDLE_BASIC)}); the returned object closes it. From now on the
   * returned {@code Vmo} is the handle's only owner: do not close the raw value, and do not adopt
   * it again (two owners of one handle is a bug; see the class documentation).
   *
   * @param handle a {@code zx_handle_t} to a VMO
   * @return a {@code Vmo} that owns {@code handle}
   * @throws IllegalArgumentException if {@code handle} is {@code ZX_HANDLE_INVALID} (0)
   * @throws ZxException at {@link ZxException.Step#ADOPT_HANDLE} with {@code ZX_ERR_BAD_HANDLE} if
   *     it is not a live handle, or {@code ZX_ERR_WRONG_TYPE} if it is not a VMO; the handle is
   *     left untouched then
   */
  public static Vmo adopt(int handle) {
    if (handle == CLOSED) {
      throw new IllegalArgumentException("handle must not be ZX_HANDLE_INVALID (0)");
    }
    ZirconLibrary.ensureLoaded();
    Syscalls.vmoHandleRights(handle, ZxException.Step.ADOPT_HANDLE);
    return new Vmo(handle, "Vmo.adopt");
  }

  /**
   * The raw handle, still owned by this object; makes no syscall. Do not close it; pass it to
   * zircon calls only while this {@code Vmo} is open.
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
   * {@link #replace(ZxRights)}.
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
   * @throws ZxException at {@link ZxException.Step#SET_VMO_SIZE}: {@code ZX_ERR_UNAVAILABLE} if the
   *     VMO is not resizable, {@code ZX_ERR_ACCESS_DENIED} without {@link ZxRights#WRITE} and
   *     {@link ZxRights#RESIZE}
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
   * @throws NullPointerException if {@code data} is null
   * @throws IllegalArgumentException if {@code offset} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#WRITE_VMO}: {@code ZX_ERR_OUT_OF_RANGE} past the
   *     end, {@code ZX_ERR_ACCESS_DENIED} without {@link ZxRights#WRITE}
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
   * @throws NullPointerException if {@code data} is null
   * @throws IllegalArgumentException if {@code offset} is negative
   * @throws IllegalStateException if closed, or if {@code data}'s arena is closed
   * @throws ZxException at {@link ZxException.Step#WRITE_VMO}, such as {@code ZX_ERR_OUT_OF_RANGE}
   *     past the end
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
          ZxException.Step.WRITE_VMO,
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
   * @throws NullPointerException if {@code into} is null
   * @throws IllegalArgumentException if {@code offset} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#READ_VMO}: {@code ZX_ERR_OUT_OF_RANGE} past the
   *     end, {@code ZX_ERR_ACCESS_DENIED} without {@link ZxRights#READ}
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
   * @throws NullPointerException if {@code into} is null
   * @throws IllegalArgumentException if {@code offset} is negative or {@code into} is read-only
   * @throws IllegalStateException if closed, or if {@code into}'s arena is closed
   * @throws ZxException at {@link ZxException.Step#READ_VMO}, such as {@code ZX_ERR_OUT_OF_RANGE}
   *     past the end
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
          ZxException.Step.READ_VMO,
          () -> ioDetails(vmo, offset, into.byteSize()));
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Duplicates the handle with the same rights ({@code zx_handle_duplicate} with {@code
   * ZX_RIGHT_SAME_RIGHTS}); this {@code Vmo} stays open.
   *
   * @return a new {@code Vmo} owning the new handle
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#DUPLICATE_HANDLE}: {@code ZX_ERR_ACCESS_DENIED}
   *     without {@link ZxRights#DUPLICATE}
   */
  public Vmo duplicate() {
    try {
      return new Vmo(
          Syscalls.handleDuplicate(handle(), ZxRights.SAME_RIGHTS_BITS), "Vmo.duplicate");
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Duplicates the handle with fewer rights ({@code zx_handle_duplicate}), for handing on a VMO
   * with less authority; this {@code Vmo} stays open.
   *
   * @param rights a subset of this handle's {@linkplain #rights() rights}
   * @return a new {@code Vmo} owning the new handle
   * @throws NullPointerException if {@code rights} is null
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#DUPLICATE_HANDLE}: {@code ZX_ERR_ACCESS_DENIED}
   *     without {@link ZxRights#DUPLICATE}, or {@code ZX_ERR_INVALID_ARGS} if {@code rights} is not
   *     a subset
   */
  public Vmo duplicate(ZxRights rights) {
    int bits = Objects.requireNonNull(rights, "rights").bits();
    try {
      return new Vmo(Syscalls.handleDuplicate(handle(), bits), "Vmo.duplicate");
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Replaces the handle with one of fewer rights ({@code zx_object_get_info(ZX_INFO_HANDLE_BASIC)},
   * then {@code zx_handle_replace}), for handing on a VMO with less authority. This {@code Vmo} is
   * closed afterwards and the returned one owns the new handle. Unlike {@link
   * #duplicate(ZxRights)}, it needs no {@link ZxRights#DUPLICATE} right.
   *
   * <p>zircon invalidates the old handle even when the replacement fails, so this method first
   * checks that {@code rights} is a subset: a wrong {@code rights} throws and leaves this {@code
   * Vmo} open.
   *
   * @param rights a subset of this handle's rights
   * @return a new {@code Vmo} owning the replacement handle
   * @throws NullPointerException if {@code rights} is null
   * @throws IllegalArgumentException if {@code rights} has a right this handle lacks; this {@code
   *     Vmo} stays open
   * @throws IllegalStateException if closed, or if this VMO belongs to a {@link Mapping}
   * @throws ZxException at {@link ZxException.Step#REPLACE_HANDLE}, such as {@code
   *     ZX_ERR_BAD_HANDLE} for a handle closed behind this object's back
   */
  public Vmo replace(ZxRights rights) {
    Objects.requireNonNull(rights, "rights");
    requireNotOwned("replace()");
    int vmo = handle();
    try {
      requireSubset(
          rights,
          ZxRights.fromBits(Syscalls.vmoHandleRights(vmo, ZxException.Step.REPLACE_HANDLE)));
    } finally {
      Reference.reachabilityFence(this);
    }
    if (!handle.compareAndSet(vmo, CLOSED)) {
      throw closed(); // closed, released or replaced by another thread meanwhile
    }
    tracked.closed(); // the handle is zircon's to invalidate now, not the cleaner's to close
    return new Vmo(Syscalls.handleReplace(vmo, rights.bits()), "Vmo.replace");
  }

  private static void requireSubset(ZxRights rights, ZxRights held) {
    if (!held.containsAll(rights)) {
      throw new IllegalArgumentException(
          "rights "
              + rights
              + " must be a subset of the handle's rights "
              + held
              + "; missing "
              + rights.without(held));
    }
  }

  /**
   * This handle's rights ({@code zx_object_get_info(ZX_INFO_HANDLE_BASIC)}); no right is needed.
   *
   * @return the rights
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#GET_HANDLE_RIGHTS}
   */
  public ZxRights rights() {
    try {
      return ZxRights.fromBits(
          Syscalls.vmoHandleRights(handle(), ZxException.Step.GET_HANDLE_RIGHTS));
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Creates a copy-on-write snapshot of {@code size} bytes from {@code offset} as a new VMO ({@code
   * zx_vmo_create_child} with {@code ZX_VMO_CHILD_SNAPSHOT}): it shows this VMO as it is now, and
   * later writes to either side do not show in the other. Bytes beyond this VMO's end read as zero.
   * The handle needs {@link ZxRights#DUPLICATE} and {@link ZxRights#READ}; the child's handle has
   * this handle's rights plus {@link ZxRights#GET_PROPERTY}, {@link ZxRights#SET_PROPERTY} and
   * {@link ZxRights#WRITE}, minus {@link ZxRights#EXECUTE} (minus {@code WRITE} with {@link
   * VmoChildOption#NO_WRITE}).
   *
   * @param offset where the snapshot starts; a multiple of the {@linkplain #pageSize() page size}
   * @param size the snapshot's size in bytes, rounded up to the page size (its content size is
   *     {@code size})
   * @param options {@link VmoChildOption#NO_WRITE} for an immutable snapshot, {@link
   *     VmoChildOption#RESIZABLE}, or none
   * @return the child VMO, owned by the caller
   * @throws NullPointerException if {@code options} or one of them is null
   * @throws IllegalArgumentException if {@code offset} or {@code size} is negative or {@code
   *     offset} is not page-aligned
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#CREATE_CHILD_VMO}: {@code ZX_ERR_ACCESS_DENIED}
   *     without DUPLICATE or READ, {@code ZX_ERR_INVALID_ARGS} for NO_WRITE with RESIZABLE
   */
  public Vmo snapshot(long offset, long size, VmoChildOption... options) {
    return child(Syscalls.CHILD_SNAPSHOT, offset, size, options, "Vmo.snapshot");
  }

  /**
   * Creates a slice of {@code size} bytes from {@code offset} as a new VMO ({@code
   * zx_vmo_create_child} with {@code ZX_VMO_CHILD_SLICE}): a window onto this VMO's own pages, so
   * writes through either show in both. The handle needs {@link ZxRights#DUPLICATE} and {@link
   * ZxRights#READ}; the slice's handle has this handle's rights plus {@link ZxRights#GET_PROPERTY}
   * and {@link ZxRights#SET_PROPERTY} (minus {@code WRITE} with {@link VmoChildOption#NO_WRITE}).
   *
   * @param offset where the slice starts; a multiple of the page size
   * @param size the slice's size in bytes, rounded up to the page size; the range must lie inside
   *     this VMO
   * @param options {@link VmoChildOption#NO_WRITE}, or none ({@link VmoChildOption#RESIZABLE} is
   *     refused by zircon)
   * @return the slice, owned by the caller
   * @throws NullPointerException if {@code options} or one of them is null
   * @throws IllegalArgumentException if {@code offset} or {@code size} is negative or {@code
   *     offset} is not page-aligned
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#CREATE_CHILD_VMO}: {@code ZX_ERR_ACCESS_DENIED}
   *     without DUPLICATE or READ, {@code ZX_ERR_OUT_OF_RANGE} past the end, {@code
   *     ZX_ERR_NOT_SUPPORTED} for a resizable VMO
   */
  public Vmo slice(long offset, long size, VmoChildOption... options) {
    return child(Syscalls.CHILD_SLICE, offset, size, options, "Vmo.slice");
  }

  private Vmo child(int kind, long offset, long size, VmoChildOption[] options, String method) {
    int bits = VmoChildOption.bitsOf(Objects.requireNonNull(options, "options"));
    requireNonNegative("offset", offset);
    requireNonNegative("size", size);
    requirePageAligned("offset", offset);
    try {
      return new Vmo(Syscalls.vmoCreateChild(handle(), kind | bits, offset, size), method);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Commits (allocates) the pages under {@code [offset, offset + size)} now ({@code
   * zx_vmo_op_range(ZX_VMO_OP_COMMIT)}), so that later touches need no allocation. For a snapshot,
   * the pages become its own copies. The handle needs {@link ZxRights#WRITE}.
   *
   * @param offset where the range starts
   * @param size the range's length in bytes
   * @throws IllegalArgumentException if {@code offset} or {@code size} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#COMMIT_VMO}: {@code ZX_ERR_ACCESS_DENIED}
   *     without WRITE, {@code ZX_ERR_OUT_OF_RANGE} past the end
   */
  public void commit(long offset, long size) {
    opRange(Syscalls.VMO_OP_COMMIT, offset, size, ZxException.Step.COMMIT_VMO);
  }

  /**
   * Decommits (frees) the pages under {@code [offset, offset + size)} ({@code
   * zx_vmo_op_range(ZX_VMO_OP_DECOMMIT)}); they read as zero afterwards, also through mappings. The
   * handle needs {@link ZxRights#WRITE}.
   *
   * @param offset where the range starts; a multiple of the page size
   * @param size the range's length in bytes; a multiple of the page size
   * @throws IllegalArgumentException if {@code offset} or {@code size} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#DECOMMIT_VMO}: {@code ZX_ERR_ACCESS_DENIED}
   *     without WRITE, {@code ZX_ERR_INVALID_ARGS} for an unaligned range, {@code
   *     ZX_ERR_NOT_SUPPORTED} for a VMO with snapshot children or a snapshot itself
   */
  public void decommit(long offset, long size) {
    opRange(Syscalls.VMO_OP_DECOMMIT, offset, size, ZxException.Step.DECOMMIT_VMO);
  }

  /**
   * Zeroes {@code [offset, offset + size)} ({@code zx_vmo_op_range(ZX_VMO_OP_ZERO)}), as writing
   * zeros would, but freeing whole pages where it can. The handle needs {@link ZxRights#WRITE}.
   *
   * @param offset where the range starts
   * @param size the range's length in bytes
   * @throws IllegalArgumentException if {@code offset} or {@code size} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#ZERO_VMO}: {@code ZX_ERR_ACCESS_DENIED} without
   *     WRITE, {@code ZX_ERR_OUT_OF_RANGE} past the end
   */
  public void zero(long offset, long size) {
    opRange(Syscalls.VMO_OP_ZERO, offset, size, ZxException.Step.ZERO_VMO);
  }

  private void opRange(int op, long offset, long size, ZxException.Step step) {
    requireNonNegative("offset", offset);
    requireNonNegative("size", size);
    try {
      Syscalls.vmoOpRange(handle(), op, offset, size, step);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * The content size ({@code zx_object_get_property(ZX_PROP_VMO_CONTENT_SIZE)}): how many bytes of
   * the page-rounded {@link #size()} are meaningful. A new VMO's content size is the size it was
   * created with; {@link #setSize(long)} sets it too. The handle needs {@link
   * ZxRights#GET_PROPERTY}.
   *
   * @return the content size in bytes
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#GET_CONTENT_SIZE}: {@code ZX_ERR_ACCESS_DENIED}
   *     without GET_PROPERTY
   */
  public long contentSize() {
    try {
      return Syscalls.vmoContentSize(handle());
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Sets the content size ({@code zx_object_set_property(ZX_PROP_VMO_CONTENT_SIZE)}), for example
   * after writing a file's bytes into a page-rounded VMO. The VMO's size does not change. The
   * handle needs {@link ZxRights#SET_PROPERTY}.
   *
   * @param contentSize the new content size; at most {@link #size()}
   * @throws IllegalArgumentException if {@code contentSize} is negative
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#SET_CONTENT_SIZE}: {@code ZX_ERR_ACCESS_DENIED}
   *     without SET_PROPERTY, {@code ZX_ERR_OUT_OF_RANGE} beyond the VMO's size
   */
  public void setContentSize(long contentSize) {
    requireNonNegative("contentSize", contentSize);
    try {
      Syscalls.setVmoContentSize(handle(), contentSize);
    } finally {
      Reference.reachabilityFence(this);
    }
  }

  /**
   * Gives up ownership of the handle and returns it, without a syscall: this {@code Vmo} is closed
   * afterwards without closing the handle, and {@link #close()} does nothing. The caller now owns
   * the raw handle and must close it (or pass it to {@link #adopt(int)} or to a zircon call that
   * takes ownership).
   *
   * @return the raw {@code zx_handle_t}
   * @throws IllegalStateException if already closed, or if this VMO belongs to a {@link Mapping}
   */
  public int release() {
    requireNotOwned("release()");
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
   * @throws ZxException at {@link ZxException.Step#GET_VMO_INFO}
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
   * #setName(String)}, {@link Mapping#allocate(long, String, MapOption...)} or whoever created the
   * VMO.
   *
   * @return the name, empty if none was set
   * @throws IllegalStateException if closed
   * @throws ZxException at {@link ZxException.Step#GET_VMO_NAME}: {@code ZX_ERR_ACCESS_DENIED}
   *     without {@link ZxRights#GET_PROPERTY}
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
   * @throws ZxException at {@link ZxException.Step#SET_VMO_NAME}: {@code ZX_ERR_ACCESS_DENIED}
   *     without {@link ZxRights#SET_PROPERTY}
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
   * Closes the handle ({@code zx_handle_close}). Idempotent; mappings made from this VMO stay valid
   * (they hold their own reference to the VMO or its snapshot).
   *
   * @throws IllegalStateException if this VMO belongs to a {@link Mapping} (from {@link
   *     Mapping#allocate(long, MapOption...)}), naming it; close the mapping instead
   */
  @Override
  public void close() {
    requireNotOwned("close()");
    closeHandle();
  }

  /** Makes {@code mapping} this VMO's owner: from now on only {@link #closeByOwner()} closes it. */
  void ownedBy(Object mapping) {
    owner = mapping;
  }

  /** Closes the handle of a VMO that belongs to a mapping; only that mapping calls it. */
  void closeByOwner() {
    closeHandle();
  }

  private void requireNotOwned(String method) {
    Object mapping = owner;
    if (mapping != null && !isClosed()) {
      throw new IllegalStateException(
          "this Vmo belongs to "
              + mapping
              + " (from Mapping.allocate), which closes it: call "
              + method
              + " on a duplicate() of it, or close the Mapping");
    }
  }

  private void closeHandle() {
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

  static void requirePageAligned(String name, long value) {
    if (value % Syscalls.PAGE_SIZE != 0) {
      throw new IllegalArgumentException(
          name
              + " must be a multiple of the page size ("
              + Syscalls.PAGE_SIZE
              + "), but is "
              + value);
    }
  }

  static void requireNonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, but is " + value);
    }
  }
}
