package io.github.zircon4j.vmo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A read-only, zero-copy view of a snapshot of a VMO: the Java port of Fuchsia's Rust {@code
 * mapped_vmo::ImmutableMapping} (and, for a range, of {@code TruncatedImmutableMapping}). Its
 * writable counterpart is {@link Mapping}.
 *
 * <p>Creating one takes a copy-on-write snapshot child of the VMO ({@code zx_vmo_get_size}, then
 * {@code zx_vmo_create_child} with {@code ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE}), maps it
 * read-only into the root VMAR ({@code zx_vmar_map} with {@code ZX_VM_PERM_READ |
 * ZX_VM_REQUIRE_NON_RESIZABLE}, plus {@code ZX_VM_MAP_RANGE} with {@link
 * MapOption#PAGE_IMMEDIATELY}) and closes the child's handle ({@code zx_handle_close}), so only the
 * mapping keeps the snapshot alive. No bytes are copied. The view shows the VMO as it was at
 * creation: later writes to the VMO never show, and nothing can write the view. {@link #close()}
 * unmaps it ({@code zx_vmar_unmap}); afterwards every access through {@link #segment()} or a {@link
 * ByteBuffer} from {@link #asByteBuffer()} throws {@link IllegalStateException} instead of touching
 * unmapped memory. A VMO of size 0, or a range of length 0, gives an empty view and makes no
 * syscall after {@code zx_vmo_get_size}.
 *
 * <p>The same choices as {@link Mapping}, passed as {@link MapOption}s: the whole VMO or a range;
 * confined to the creating thread (the default: use or {@code close()} from another thread throws
 * {@link WrongThreadException}, and {@code close()} is about as cheap as the {@code munmap}
 * itself), {@link MapOption#SHARED} (any thread may read and close; the close is a JVM-wide
 * handshake), or a segment owned by the caller's {@link Arena} ({@link #map}); pages mapped on
 * first touch, or all at once with {@link MapOption#PAGE_IMMEDIATELY}, or later with {@link
 * #prefetch()}.
 *
 * <p>A mapping that is never closed is unmapped once neither it, nor its segment, nor any slice or
 * {@link ByteBuffer} of it can be reached any more, and the leak is logged (see {@link Vmo} for
 * {@code -Dzircon4j.leakDetection}). Relying on that is a bug: the garbage collector runs when the
 * Java heap fills, not when address space or {@code vm.max_map_count} runs out.
 *
 * <p>The VMO's handle needs {@link ZxRights#DUPLICATE} and {@link ZxRights#READ} (to take the
 * snapshot) and {@link ZxRights#MAP} (to map it); a {@link Vmo#create} handle has all three. The
 * VMO is borrowed: the caller still owns and closes it, also while the mapping lives.
 *
 * <pre>{@code
 * try (Vmo vmo = Vmo.create(4096);
 *     ImmutableMapping mapping = ImmutableMapping.create(vmo)) {
 *   byte first = mapping.segment().get(ValueLayout.JAVA_BYTE, 0);
 * }
 * }</pre>
 */
public final class ImmutableMapping implements AutoCloseable {

  private final Arena arena;
  private final MemorySegment segment;

  private ImmutableMapping(Arena arena, MemorySegment segment) {
    this.arena = arena;
    this.segment = segment;
  }

  /**
   * Snapshots and maps the whole VMO: Rust's {@code ImmutableMapping::create_from_vmo}. The view is
   * the VMO's page-rounded size.
   *
   * @param vmo the VMO to snapshot; borrowed. Its handle needs {@link ZxRights#DUPLICATE}, {@link
   *     ZxRights#READ} and {@link ZxRights#MAP}.
   * @param options {@link MapOption#SHARED}, {@link MapOption#PAGE_IMMEDIATELY}, or none
   * @return the mapping; close it to unmap
   * @throws NullPointerException if {@code vmo}, {@code options} or one of them is null
   * @throws IllegalArgumentException for {@link MapOption#READ_ONLY} (the view is read-only anyway)
   * @throws IllegalStateException if {@code vmo} is closed
   * @throws ZxException at {@link ZxException.Step#GET_VMO_SIZE}, {@link
   *     ZxException.Step#VMO_TOO_LARGE}, {@link ZxException.Step#CREATE_CHILD_VMO} ({@code
   *     ZX_ERR_ACCESS_DENIED} without DUPLICATE or READ), {@link ZxException.Step#MAP_CHILD_VMO}
   *     ({@code ZX_ERR_ACCESS_DENIED} without MAP) or {@link ZxException.Step#MAP_RETURNED_NULL}.
   *     Nothing is left allocated then.
   */
  public static ImmutableMapping create(Vmo vmo, MapOption... options) {
    return open(vmo, 0, -1, options);
  }

  /**
   * Snapshots and maps {@code length} bytes of the VMO from {@code offset}. The view is exactly
   * {@code length} bytes, although the mapping itself is page-rounded. With offset 0 this is Rust's
   * {@code TruncatedImmutableMapping::create_from_vmo}: a view of a VMO's content size rather than
   * its page-rounded size.
   *
   * @param vmo the VMO to snapshot; borrowed, with the rights {@link #create(Vmo, MapOption...)}
   *     needs
   * @param offset where the view starts; a multiple of {@link Vmo#pageSize()} (zircon's rule for
   *     children)
   * @param length the view's length in bytes; 0 gives an empty mapping
   * @param options {@link MapOption#SHARED}, {@link MapOption#PAGE_IMMEDIATELY}, or none
   * @return the mapping; close it to unmap
   * @throws NullPointerException if {@code vmo}, {@code options} or one of them is null
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative, {@code
   *     offset} is not page-aligned, or {@code offset + length} is beyond the VMO's size (the
   *     message names both), or for {@link MapOption#READ_ONLY}
   * @throws IllegalStateException if {@code vmo} is closed
   * @throws ZxException naming the step that failed, as for {@link #create(Vmo, MapOption...)}
   */
  public static ImmutableMapping create(Vmo vmo, long offset, long length, MapOption... options) {
    requireRange(offset, length);
    return open(vmo, offset, length, options);
  }

  /**
   * Snapshots and maps {@code length} bytes of the VMO from {@code offset} into a segment owned by
   * {@code arena}: it is unmapped when the arena closes, and as accessible as the arena makes it,
   * like {@code FileChannel.map(mode, offset, size, arena)}. For the whole VMO, pass offset 0 and
   * {@link Vmo#size()}. The segment is read-only.
   *
   * @param vmo the VMO to snapshot; borrowed, with the rights {@link #create(Vmo, MapOption...)}
   *     needs
   * @param offset where the view starts; a multiple of the page size
   * @param length the segment's length in bytes; 0 gives an empty segment
   * @param arena the arena that owns the mapping; must be alive
   * @param options {@link MapOption#PAGE_IMMEDIATELY}, or none
   * @return the read-only segment, exactly {@code length} bytes
   * @throws NullPointerException if {@code vmo}, {@code arena}, {@code options} or one of them is
   *     null
   * @throws IllegalArgumentException if the range is negative, unaligned or beyond the VMO, or for
   *     {@link MapOption#SHARED} or {@link MapOption#READ_ONLY}
   * @throws IllegalStateException if {@code vmo} or {@code arena} is closed
   * @throws WrongThreadException if {@code arena} is confined to another thread
   * @throws ZxException naming the step that failed
   */
  public static MemorySegment map(
      Vmo vmo, long offset, long length, Arena arena, MapOption... options) {
    MapOption.Chosen chosen = MapOption.Chosen.of("ImmutableMapping.map", true, false, options);
    requireRange(offset, length);
    MappedSegments.requireUsable(Objects.requireNonNull(arena, "arena"));
    return mapSnapshot(vmo, offset, length, chosen.pageImmediately(), arena, null);
  }

  private static void requireRange(long offset, long length) {
    Vmo.requireNonNegative("offset", offset);
    Vmo.requireNonNegative("length", length);
  }

  private static ImmutableMapping open(Vmo vmo, long offset, long length, MapOption[] options) {
    MapOption.Chosen chosen = MapOption.Chosen.of("ImmutableMapping.create", false, false, options);
    Objects.requireNonNull(vmo, "vmo");
    Arena arena = chosen.shared() ? Arena.ofShared() : Arena.ofConfined();
    boolean opened = false;
    try {
      MemorySegment view =
          mapSnapshot(
              vmo, offset, length, chosen.pageImmediately(), arena, "ImmutableMapping.create");
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
   * MappedSegments#requireUsable}).
   *
   * <p>A {@code method} name means the arena is this class's own: the mapping is then also released
   * if the segment's scope becomes unreachable unclosed ({@link LeakTracker}). A caller's arena
   * ({@code method == null}) decides the lifetime itself: an {@code Arena.ofAuto()} already unmaps
   * on GC, and any other arena unmaps when it closes.
   *
   * <p>This is the hot path of every create + close, so it stays small enough for the JIT to inline
   * into its caller (under {@code -XX:FreqInlineSize}): every message and every rare case is built
   * in a separate method.
   */
  private static MemorySegment mapSnapshot(
      Vmo vmo, long offset, long length, boolean immediatelyPage, Arena arena, String method) {
    int source = Objects.requireNonNull(vmo, "vmo").handle();
    long vmoSize = mappableSize(Syscalls.vmoGetSize(source));
    long viewLength = length < 0 ? vmoSize : MappedSegments.checkRange(vmoSize, offset, length);
    if (viewLength == 0) {
      // As in the original: no snapshot and no mapping, since zx_vmar_map rejects length 0.
      return MappedSegments.emptyView(arena).asReadOnly();
    }
    long mappedLength = Syscalls.roundUpToPage(viewLength);
    int options =
        immediatelyPage ? Syscalls.VM_SNAPSHOT | Syscalls.VM_MAP_RANGE : Syscalls.VM_SNAPSHOT;

    int child =
        Syscalls.vmoCreateChild(source, Syscalls.CHILD_SNAPSHOT_NO_WRITE, offset, mappedLength);
    // The child exists: the VMO's handle is no longer needed, so the caller may drop the Vmo now
    // (until here, a Vmo becoming unreachable could have its handle closed under the syscalls).
    Reference.reachabilityFence(vmo);
    long address;
    try {
      // The child is neither resizable, discardable nor pager-backed, and the mapping is exactly
      // its size, so no access through the mapping can fault for lack of pages
      // (ZX_VM_ALLOW_FAULTS is not needed).
      address =
          Syscalls.vmarMapRoot(ZxException.Step.MAP_CHILD_VMO, options, child, 0, mappedLength);
    } finally {
      // The mapping holds its own reference to the child; dropping the handle leaves the mapping
      // as the only thing keeping the snapshot alive (the parent's ZX_VMO_ZERO_CHILDREN returns
      // once it is unmapped). On a failed map this frees the child.
      Syscalls.handleClose(child);
    }
    if (address == 0) {
      throw MappedSegments.mappedAtZero(mappedLength);
    }
    // Safety: a read-only mapping of an immutable snapshot, handed to `arena` (see
    // MappedSegments.own); the segment is made read-only too, so no Java code can write it.
    return MappedSegments.own(address, viewLength, mappedLength, arena, "ImmutableMapping", method)
        .asReadOnly();
  }

  /** The VMO's size, if a mapping of all of it could be addressed. */
  private static long mappableSize(long vmoSize) {
    if (vmoSize < 0 || vmoSize > Long.MAX_VALUE - Syscalls.PAGE_SIZE) {
      // Rust's VmoSizeAsIsize: a mapping of this size could not be addressed.
      throw new ZxException(
          ZxException.Step.VMO_TOO_LARGE,
          ZxStatus.ERR_OUT_OF_RANGE,
          "size " + Long.toUnsignedString(vmoSize) + " does not fit in a mapping");
    }
    return vmoSize;
  }

  /**
   * The read-only view, exactly {@link #size()} bytes. Its {@code load()}, {@code isLoaded()},
   * {@code unload()} and {@code force()} throw {@link UnsupportedOperationException} ("Not a mapped
   * segment": they are for files mapped by {@code FileChannel.map}); {@link #prefetch()} is what
   * {@code load()} would do here.
   *
   * @return the mapped snapshot; any access after {@link #close()} throws {@link
   *     IllegalStateException}
   * @throws IllegalStateException if closed
   * @throws WrongThreadException if the mapping is confined to another thread
   */
  public MemorySegment segment() {
    MappedSegments.checkUsable(arena, segment);
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
    MappedSegments.checkUsable(arena, segment);
    return MappedSegments.wholeBuffer(segment);
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
    MappedSegments.checkUsable(arena, segment);
    return MappedSegments.window(segment, offset, length);
  }

  /**
   * Populates the page tables of the whole view now ({@code zx_vmar_op_range} with {@code
   * ZX_VMAR_OP_MAP_RANGE}), as {@link MapOption#PAGE_IMMEDIATELY} does at creation: what {@code
   * MappedByteBuffer.load()} is for a mapped file, so that first touches do not fault. It commits
   * no memory and changes no byte. An empty mapping does nothing.
   *
   * @throws IllegalStateException if closed
   * @throws WrongThreadException if the mapping is confined to another thread
   * @throws ZxException at {@link ZxException.Step#PREFETCH_MAPPING} if zircon refuses
   */
  public void prefetch() {
    MappedSegments.checkUsable(arena, segment);
    MappedSegments.prefetch(arena, segment, 0, segment.byteSize());
  }

  /**
   * Populates the page tables of the pages under {@code [offset, offset + length)} of the view, as
   * {@link #prefetch()} does for all of it. The range is widened to whole pages; a zero length does
   * nothing.
   *
   * @param offset where the range starts, {@code 0 <= offset <= size()}
   * @param length the range's length, {@code 0 <= length <= size() - offset}
   * @throws IndexOutOfBoundsException if the range is not inside the view
   * @throws IllegalStateException if closed
   * @throws WrongThreadException if the mapping is confined to another thread
   * @throws ZxException at {@link ZxException.Step#PREFETCH_MAPPING} if zircon refuses
   */
  public void prefetch(long offset, long length) {
    MappedSegments.checkUsable(arena, segment);
    MappedSegments.prefetch(arena, segment, offset, length);
  }

  /**
   * The view's size in bytes: the VMO's page-rounded size, or the requested length for a range.
   *
   * @return the number of bytes in {@link #segment()}; makes no syscall
   */
  public long size() {
    return segment.byteSize();
  }

  /**
   * Unmaps the view ({@code zx_vmar_unmap}), which frees the snapshot. Idempotent. A confined
   * mapping may only be closed by its own thread.
   *
   * @throws WrongThreadException if the mapping is confined to another thread; nothing changes
   */
  @Override
  public void close() {
    MappedSegments.close(arena, segment); // zx_vmar_unmap, through the arena's cleanup
  }

  /**
   * Whether {@link #close()} has unmapped the view (by any thread, for a shared mapping).
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return !arena.scope().isAlive();
  }

  /**
   * Shows the size, the address and whether the mapping is open; callable from any thread, also
   * after close.
   *
   * @return {@code "ImmutableMapping[size=4096, address=0x7f0000001000, open]"} or the like
   */
  @Override
  public String toString() {
    return MappedSegments.describe("ImmutableMapping", arena, segment);
  }
}
