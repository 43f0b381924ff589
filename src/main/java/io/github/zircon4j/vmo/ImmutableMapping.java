package io.github.zircon4j.vmo;

import io.github.zircon4j.zircon.Zircon;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A read-only, zero-copy view of a snapshot of a VMO: the Java port of Fuchsia's Rust {@code
 * mapped_vmo::ImmutableMapping}.
 *
 * <p>Creating one takes a copy-on-write snapshot child of the VMO ({@code ZX_VMO_CHILD_SNAPSHOT |
 * ZX_VMO_CHILD_NO_WRITE}), maps it read-only into the root VMAR and closes the child's handle, so
 * only the mapping keeps the snapshot alive. No bytes are copied. The view shows the VMO as it was
 * at creation: later writes to the VMO never show, and nothing can write the view. {@link #close()}
 * unmaps it; afterwards every access through {@link #segment()} or a {@link ByteBuffer} from {@link
 * #asByteBuffer()} throws {@link IllegalStateException} instead of touching unmapped memory.
 *
 * <p>A mapping from {@link #create(Vmo, boolean)} is confined to the thread that created it, as the
 * Rust type is neither {@code Send} nor {@code Sync}: use or {@code close()} from another thread
 * throws {@link WrongThreadException}. This keeps {@code close()} cheap (about as cheap as the
 * {@code munmap} itself). A mapping from {@link #createShared(Vmo, boolean)} may be read and closed
 * by any thread, but its {@code close()} is a JVM-wide handshake with every thread (tens of
 * microseconds, measured at about 50 µs on JDK 25 here): do not create and close shared mappings in
 * a hot loop.
 *
 * <p>A mapping that is never closed is unmapped once neither it, nor its segment, nor any slice or
 * {@link ByteBuffer} of it can be reached any more, and the leak is logged (see {@link Vmo} for
 * {@code -Dzircon4j.leakDetection}). Relying on that is a bug: the garbage collector runs when the
 * Java heap fills, not when address space or {@code vm.max_map_count} runs out.
 *
 * <pre>{@code
 * try (Vmo vmo = Vmo.create(4096);
 *     ImmutableMapping mapping = ImmutableMapping.create(vmo, false)) {
 *   byte first = mapping.segment().get(ValueLayout.JAVA_BYTE, 0);
 * }
 * }</pre>
 */
public final class ImmutableMapping implements AutoCloseable {
  /**
   * Options from the bindings, in a holder of their own: reading them initialises the bindings,
   * whose symbol lookup needs the zircon library loaded, which a live Vmo guarantees. As fields of
   * this class they would run at its first use, even a rejected {@code create(null, ...)}.
   */
  private static final class Options {
    static final int SNAPSHOT_NO_WRITE =
        Zircon.ZX_VMO_CHILD_SNAPSHOT() | Zircon.ZX_VMO_CHILD_NO_WRITE();
    static final int MAP = Zircon.ZX_VM_REQUIRE_NON_RESIZABLE() | Zircon.ZX_VM_PERM_READ();
  }

  private final Arena arena;
  private final MemorySegment segment;

  private ImmutableMapping(Arena arena, MemorySegment segment) {
    this.arena = arena;
    this.segment = segment;
  }

  /**
   * Snapshots and maps the whole VMO, confined to the calling thread.
   *
   * <p>The view is the VMO's page-rounded size. A VMO of size 0 gives an empty mapping and makes no
   * other syscall.
   *
   * @param vmo the VMO to snapshot; borrowed, the caller still owns and closes it. Its handle needs
   *     {@code ZX_RIGHT_DUPLICATE} and {@code ZX_RIGHT_READ}.
   * @param immediatelyPage map every page now ({@code ZX_VM_MAP_RANGE}) rather than on first touch
   * @return the mapping; close it to unmap
   * @throws IllegalStateException if {@code vmo} is closed
   * @throws ZxException naming the step that failed: get VMO size, VMO too large, create child VMO,
   *     map child VMO, or map returned zero. Nothing is left allocated then.
   */
  public static ImmutableMapping create(Vmo vmo, boolean immediatelyPage) {
    return open(
        vmo, 0, -1, immediatelyPage, Arena.ofConfined(), "ImmutableMapping.create(Vmo, boolean)");
  }

  /**
   * Like {@link #create(Vmo, boolean)}, but any thread may read the mapping and any thread may
   * close it; a reader racing {@code close()} gets {@link IllegalStateException}, never a crash.
   * Its {@code close()} costs a JVM-wide handshake (tens of microseconds).
   *
   * @param vmo the VMO to snapshot; borrowed
   * @param immediatelyPage map every page now rather than on first touch
   * @return the mapping; close it to unmap
   * @throws IllegalStateException if {@code vmo} is closed
   * @throws ZxException naming the step that failed
   */
  public static ImmutableMapping createShared(Vmo vmo, boolean immediatelyPage) {
    return open(
        vmo,
        0,
        -1,
        immediatelyPage,
        Arena.ofShared(),
        "ImmutableMapping.createShared(Vmo, boolean)");
  }

  /**
   * Snapshots and maps {@code length} bytes of the VMO from {@code offset}, confined to the calling
   * thread. The view is exactly {@code length} bytes, although the mapping itself is page-rounded;
   * this also gives a view of a VMO's content size rather than its page-rounded size (what Rust's
   * {@code TruncatedImmutableMapping} offers).
   *
   * @param vmo the VMO to snapshot; borrowed
   * @param offset where the view starts; must be a multiple of the page size (zircon's rule for
   *     children)
   * @param length the view's length in bytes; 0 gives an empty mapping
   * @param immediatelyPage map every page now rather than on first touch
   * @return the mapping; close it to unmap
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative, {@code
   *     offset} is not page-aligned, or {@code offset + length} is beyond the VMO's size
   * @throws IllegalStateException if {@code vmo} is closed
   * @throws ZxException naming the step that failed
   */
  public static ImmutableMapping create(
      Vmo vmo, long offset, long length, boolean immediatelyPage) {
    Vmo.requireNonNegative("offset", offset);
    Vmo.requireNonNegative("length", length);
    return open(
        vmo,
        offset,
        length,
        immediatelyPage,
        Arena.ofConfined(),
        "ImmutableMapping.create(Vmo, long, long, boolean)");
  }

  /**
   * Snapshots and maps the whole VMO into a segment owned by {@code arena}: it is unmapped when the
   * arena closes, like {@code FileChannel.map(mode, offset, size, arena)}. The segment is read-only
   * and as accessible as the arena makes it.
   *
   * @param vmo the VMO to snapshot; borrowed
   * @param immediatelyPage map every page now rather than on first touch
   * @param arena the arena that owns the mapping; must be alive
   * @return the read-only segment, exactly the VMO's size
   * @throws IllegalStateException if {@code vmo} or {@code arena} is closed
   * @throws WrongThreadException if {@code arena} is confined to another thread
   * @throws ZxException naming the step that failed
   */
  public static MemorySegment map(Vmo vmo, boolean immediatelyPage, Arena arena) {
    requireUsable(Objects.requireNonNull(arena, "arena"));
    return mapSnapshot(vmo, 0, -1, immediatelyPage, arena, null);
  }

  private static ImmutableMapping open(
      Vmo vmo, long offset, long length, boolean immediatelyPage, Arena arena, String factory) {
    boolean opened = false;
    try {
      MemorySegment view = mapSnapshot(vmo, offset, length, immediatelyPage, arena, factory);
      opened = true;
      return new ImmutableMapping(arena, view);
    } finally {
      if (!opened) {
        arena.close();
      }
    }
  }

  /**
   * The original's sequence: get size, check it, snapshot child, map child, close child. {@code
   * length < 0} means the whole VMO. The arena must be alive and usable by this thread (see {@link
   * #requireUsable}).
   *
   * <p>A {@code factory} name means the arena is this class's own: the mapping is then also
   * released if the segment's scope becomes unreachable unclosed ({@link LeakTracker}). A caller's
   * arena ({@code factory == null}) decides the lifetime itself: an {@code Arena.ofAuto()} already
   * unmaps on GC, and any other arena unmaps when it closes.
   *
   * <p>This is the hot path of every create + close, so it stays small enough for the JIT to inline
   * into its caller (under {@code -XX:FreqInlineSize}): every message and every rare case is built
   * in a separate method.
   */
  private static MemorySegment mapSnapshot(
      Vmo vmo, long offset, long length, boolean immediatelyPage, Arena arena, String factory) {
    int source = Objects.requireNonNull(vmo, "vmo").handle();
    long vmoSize = mappableSize(Syscalls.vmoGetSize(source));
    long viewLength = length < 0 ? vmoSize : checkRange(vmoSize, offset, length);
    if (viewLength == 0) {
      // As in the original: no snapshot and no mapping, since zx_vmar_map rejects length 0.
      return emptyView(arena);
    }
    long mappedLength = Syscalls.roundUpToPage(viewLength);
    int options = immediatelyPage ? Options.MAP | Zircon.ZX_VM_MAP_RANGE() : Options.MAP;

    int child = Syscalls.vmoCreateChild(source, Options.SNAPSHOT_NO_WRITE, offset, mappedLength);
    // The child exists: the VMO's handle is no longer needed, so the caller may drop the Vmo now
    // (until here, a Vmo becoming unreachable could have its handle closed under the syscalls).
    Reference.reachabilityFence(vmo);
    long address;
    try {
      // The child is neither resizable, discardable nor pager-backed, and the mapping is exactly
      // its size, so no access through the mapping can fault for lack of pages
      // (ZX_VM_ALLOW_FAULTS is not needed).
      address = Syscalls.vmarMapRoot(options, child, 0, mappedLength);
    } finally {
      // The mapping holds its own reference to the child; dropping the handle leaves the mapping
      // as the only thing keeping the snapshot alive (the parent's ZX_VMO_ZERO_CHILDREN returns
      // once it is unmapped). On a failed map this frees the child.
      Syscalls.handleClose(child);
    }
    if (address == 0) {
      throw mappedAtZero(mappedLength); // zircon never maps at 0; nothing to unmap
    }
    Unmap unmap = new Unmap(address, mappedLength);
    boolean owned = false;
    try {
      // Safety: [address, address + mappedLength) is a read-only mapping of an immutable snapshot
      // that nothing else can unmap (nobody else knows the address). The segment exposes
      // `viewLength <= mappedLength` bytes, is read-only, and dies with `arena`, whose cleanup is
      // the only unmap: after that the FFM runtime fails every access with IllegalStateException
      // before it reaches the address. The unmap status is ignored, as in the original: the range
      // is exactly one mapping we made, so it cannot fail. If the scope becomes unreachable
      // unclosed, no segment or buffer of it can be reached either, and the leak tracker unmaps.
      MemorySegment view =
          MemorySegment.ofAddress(address).reinterpret(viewLength, arena, unmap).asReadOnly();
      owned = true;
      if (factory != null) {
        unmap.tracked = LeakTracker.track(view.scope(), "ImmutableMapping", factory, unmap);
      }
      return view;
    } finally {
      if (!owned) {
        // The arena closed under us (another thread closed a caller's shared arena): unmap here,
        // since the arena never took ownership.
        Syscalls.vmarUnmapRoot(address, mappedLength);
      }
    }
  }

  /**
   * Unmaps one mapping: run by the arena's close ({@link #accept}, which also tells the leak
   * tracker), or by the leak tracker ({@link #run}) once the segment's scope is unreachable. It
   * holds only numbers and the tracker's entry, never the segment, scope or arena.
   */
  private static final class Unmap implements Consumer<MemorySegment>, Runnable {
    private final long address;
    private final long length;
    private LeakTracker.Tracked tracked;

    Unmap(long address, long length) {
      this.address = address;
      this.length = length;
    }

    @Override
    public void accept(MemorySegment closing) {
      Syscalls.vmarUnmapRoot(address, length);
      if (tracked != null) {
        tracked.closed();
      }
    }

    @Override
    public void run() {
      Syscalls.vmarUnmapRoot(address, length);
    }
  }

  /**
   * Fails before any syscall if a caller's {@code arena} is closed or owned by another thread
   * (WrongThreadException from the probe, which registers nothing in the arena). The arenas this
   * class makes itself are fresh and owned by the calling thread, so only {@link #map} needs this.
   */
  private static void requireUsable(Arena arena) {
    if (!arena.scope().isAlive()) {
      throw new IllegalStateException("arena is closed"); // the probe would say "Already closed"
    }
    emptyView(arena);
  }

  /** The view of nothing, tied to {@code arena}: a zero-length VMO or range maps nothing. */
  private static MemorySegment emptyView(Arena arena) {
    return MemorySegment.NULL.reinterpret(0, arena, null).asReadOnly();
  }

  /** The VMO's size, if a mapping of all of it could be addressed. */
  private static long mappableSize(long vmoSize) {
    if (vmoSize < 0 || vmoSize > Long.MAX_VALUE - Syscalls.PAGE_SIZE) {
      // Rust's VmoSizeAsIsize: a mapping of this size could not be addressed.
      throw new ZxException(
          "map VMO: VMO too large",
          Zircon.ZX_ERR_OUT_OF_RANGE(),
          "size " + Long.toUnsignedString(vmoSize) + " does not fit in a mapping");
    }
    return vmoSize;
  }

  /** {@code length}, once {@code [offset, offset + length)} is known to be a valid child range. */
  private static long checkRange(long vmoSize, long offset, long length) {
    if (offset % Syscalls.PAGE_SIZE != 0) {
      throw new IllegalArgumentException(
          "offset must be a multiple of the page size ("
              + Syscalls.PAGE_SIZE
              + "), but is "
              + offset);
    }
    if (offset > vmoSize || length > vmoSize - offset) {
      throw new IllegalArgumentException(
          "range [offset "
              + offset
              + ", length "
              + length
              + "] is beyond the VMO's size "
              + vmoSize);
    }
    return length;
  }

  private static ZxException mappedAtZero(long mappedLength) {
    return new ZxException(
        "map child VMO: map returned zero", Zircon.ZX_ERR_INTERNAL(), "length " + mappedLength);
  }

  /**
   * The read-only view, exactly {@link #size()} bytes.
   *
   * @return the mapped snapshot; any access after {@link #close()} throws {@link
   *     IllegalStateException}
   * @throws IllegalStateException if closed
   * @throws WrongThreadException if the mapping is confined to another thread
   */
  public MemorySegment segment() {
    checkUsable();
    return segment;
  }

  /**
   * The view as a read-only {@link ByteBuffer} (big-endian, as every new buffer). Accesses after
   * {@link #close()} throw {@link IllegalStateException}.
   *
   * @return a read-only buffer over the whole mapping
   * @throws UnsupportedOperationException if the mapping is larger than {@code Integer.MAX_VALUE}
   *     bytes; use {@link #asByteBuffer(long, int)} for a window
   * @throws IllegalStateException if closed
   * @throws WrongThreadException if the mapping is confined to another thread
   */
  public ByteBuffer asByteBuffer() {
    checkUsable();
    if (segment.byteSize() > Integer.MAX_VALUE) {
      throw new UnsupportedOperationException(
          "mapping of "
              + segment.byteSize()
              + " bytes is larger than a ByteBuffer can address (2 GiB - 1);"
              + " use asByteBuffer(long offset, int length) for a window of it, or segment()");
    }
    return segment.asByteBuffer();
  }

  /**
   * A read-only {@link ByteBuffer} over {@code length} bytes from {@code offset}: how to reach
   * every byte of a mapping larger than 2 GiB through buffers.
   *
   * @param offset where the window starts, {@code 0 <= offset <= size()}
   * @param length the window's length, {@code 0 <= length <= size() - offset}
   * @return a read-only buffer over the window
   * @throws IndexOutOfBoundsException if the window is not inside the mapping
   * @throws IllegalStateException if closed
   * @throws WrongThreadException if the mapping is confined to another thread
   */
  public ByteBuffer asByteBuffer(long offset, int length) {
    checkUsable();
    long size = segment.byteSize();
    if (offset < 0 || length < 0 || offset > size || length > size - offset) {
      throw new IndexOutOfBoundsException(
          "window [offset "
              + offset
              + ", length "
              + length
              + "] is outside mapping of "
              + size
              + " bytes");
    }
    return segment.asSlice(offset, length).asByteBuffer();
  }

  /**
   * The view's size in bytes: the VMO's page-rounded size, or the requested length for a range.
   *
   * @return the number of bytes in {@link #segment()}
   */
  public long size() {
    return segment.byteSize();
  }

  /**
   * Unmaps the view. Idempotent. A confined mapping may only be closed by its own thread.
   *
   * @throws WrongThreadException if the mapping is confined to another thread; nothing changes
   */
  @Override
  public void close() {
    if (arena.scope().isAlive()) {
      try {
        arena.close();
      } catch (IllegalStateException alreadyClosed) {
        // Another thread closed a shared mapping between the check and the close: still closed.
        if (arena.scope().isAlive()) {
          throw alreadyClosed;
        }
      }
    } else if (!segment.isAccessibleBy(Thread.currentThread())) {
      throw new WrongThreadException("mapping is confined to another thread");
    }
  }

  @Override
  public String toString() {
    return "ImmutableMapping[size="
        + segment.byteSize()
        + (arena.scope().isAlive() ? "" : ", closed")
        + "]";
  }

  private void checkUsable() {
    if (!segment.isAccessibleBy(Thread.currentThread())) {
      throw new WrongThreadException("mapping is confined to another thread");
    }
    if (!arena.scope().isAlive()) {
      throw new IllegalStateException("mapping is closed");
    }
  }
}
