package io.github.zircon4j.vmo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * What {@link ImmutableMapping} and {@link Mapping} share: turning a fresh mapping into a segment
 * owned by an arena, the checks of their accessors, and closing. A mapping is always a whole number
 * of pages in the root VMAR; its segment (the view) may be shorter.
 */
final class MappedSegments {
  private MappedSegments() {}

  /**
   * Hands the mapping {@code [address, address + mappedLength)} to {@code arena}, whose cleanup is
   * then its only unmap, and returns the first {@code viewLength} bytes as a segment. A {@code
   * factory} name means the arena is the mapping class's own: the mapping is then also unmapped,
   * and the leak reported as a {@code what} made by {@code factory}, if the segment's scope becomes
   * unreachable unclosed ({@link LeakTracker}). A caller's arena ({@code factory == null}) decides
   * the lifetime itself.
   *
   * <p>Safety: the caller made this mapping and nobody else knows its address, so nothing else can
   * unmap it. The segment exposes {@code viewLength <= mappedLength} bytes and dies with {@code
   * arena}: after its cleanup unmaps the range, the FFM runtime fails every access with {@link
   * IllegalStateException} before it reaches the address. The unmap status is ignored, as in the
   * Rust original: the range is exactly one mapping we made, so it cannot fail. If the scope
   * becomes unreachable unclosed, no segment or buffer of it can be reached either, and the leak
   * tracker unmaps.
   */
  static MemorySegment own(
      long address, long viewLength, long mappedLength, Arena arena, String what, String factory) {
    Unmap unmap = new Unmap(address, mappedLength);
    boolean owned = false;
    try {
      MemorySegment view = MemorySegment.ofAddress(address).reinterpret(viewLength, arena, unmap);
      owned = true;
      if (factory != null) {
        unmap.tracked = LeakTracker.track(view.scope(), what, factory, unmap);
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
   * (WrongThreadException from the probe, which registers nothing in the arena). The arenas the
   * mapping classes make themselves are fresh and owned by the calling thread, so only the {@code
   * map} methods need this.
   */
  static void requireUsable(Arena arena) {
    if (!arena.scope().isAlive()) {
      throw new IllegalStateException("arena is closed"); // the probe would say "Already closed"
    }
    emptyView(arena);
  }

  /** The view of nothing, tied to {@code arena}: a zero-length VMO or range maps nothing. */
  static MemorySegment emptyView(Arena arena) {
    return MemorySegment.NULL.reinterpret(0, arena, null);
  }

  /**
   * {@code length}, once {@code [offset, offset + length)} is known to be a page-aligned range
   * inside a VMO of {@code vmoSize} bytes (zircon's rule for children and mappings).
   */
  static long checkRange(long vmoSize, long offset, long length) {
    Vmo.requirePageAligned("offset", offset);
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

  /** zircon never maps at 0; nothing to unmap then. */
  static ZxException mappedAtZero(long mappedLength) {
    return new ZxException(
        ZxException.Step.MAP_RETURNED_NULL, ZxStatus.ERR_INTERNAL, "length " + mappedLength);
  }

  /** Throws unless the calling thread may use {@code view} and {@code arena} is alive. */
  static void checkUsable(Arena arena, MemorySegment view) {
    if (!view.isAccessibleBy(Thread.currentThread())) {
      throw new WrongThreadException("mapping is confined to another thread");
    }
    if (!arena.scope().isAlive()) {
      throw new IllegalStateException("mapping is closed");
    }
  }

  /** The whole view as a buffer, if a buffer can address it. */
  static ByteBuffer wholeBuffer(MemorySegment view) {
    if (view.byteSize() > Integer.MAX_VALUE) {
      throw new UnsupportedOperationException(
          "mapping of "
              + view.byteSize()
              + " bytes is larger than a ByteBuffer can address (2 GiB - 1);"
              + " use asByteBuffer(long offset, int length) for a window of it, or segment()");
    }
    return view.asByteBuffer();
  }

  /**
   * Throws {@link IndexOutOfBoundsException}, naming {@code what}, unless {@code [offset, offset +
   * length)} lies inside a view of {@code size} bytes.
   */
  private static void requireInside(String what, long size, long offset, long length) {
    if (offset < 0 || length < 0 || offset > size || length > size - offset) {
      throw new IndexOutOfBoundsException(
          what
              + " [offset "
              + offset
              + ", length "
              + length
              + "] is outside mapping of "
              + size
              + " bytes");
    }
  }

  /** A buffer over {@code [offset, offset + length)} of the view. */
  static ByteBuffer window(MemorySegment view, long offset, int length) {
    requireInside("window", view.byteSize(), offset, length);
    return view.asSlice(offset, length).asByteBuffer();
  }

  /**
   * Populates the page tables of the pages under {@code [offset, offset + length)} of the view
   * ({@code zx_vmar_op_range(ZX_VMAR_OP_MAP_RANGE)}). The caller has checked that the view is
   * usable; the range is widened to whole pages, which stay inside the page-rounded mapping.
   */
  static void prefetch(Arena arena, MemorySegment view, long offset, long length) {
    requireInside("prefetch range", view.byteSize(), offset, length);
    if (length == 0) {
      return; // nothing to populate (and zircon rejects an empty range)
    }
    long start = view.address() + (offset & -Syscalls.PAGE_SIZE);
    long end = view.address() + Syscalls.roundUpToPage(offset + length);
    int status = Syscalls.vmarPrefetchRoot(start, end - start);
    if (status != ZxStatus.OK) {
      if (!arena.scope().isAlive()) {
        // A shared mapping closed by another thread after the caller's check.
        throw new IllegalStateException("mapping is closed");
      }
      throw new ZxException(
          ZxException.Step.PREFETCH_MAPPING,
          status,
          "address 0x" + Long.toHexString(start) + ", length " + (end - start));
    }
  }

  /** Closes {@code arena} (unmapping the view); idempotent. */
  static void close(Arena arena, MemorySegment view) {
    if (arena.scope().isAlive()) {
      try {
        arena.close();
      } catch (IllegalStateException alreadyClosed) {
        // Another thread closed a shared mapping between the check and the close: still closed.
        if (arena.scope().isAlive()) {
          throw alreadyClosed;
        }
      }
    } else if (!view.isAccessibleBy(Thread.currentThread())) {
      throw new WrongThreadException("mapping is confined to another thread");
    }
  }

  /** {@code "Name[size=..., address=0x..., open]"}; makes no syscall and checks no thread. */
  static String describe(String type, Arena arena, MemorySegment view) {
    return type
        + "[size="
        + view.byteSize()
        + ", address=0x"
        + Long.toHexString(view.address())
        + (arena.scope().isAlive() ? ", open" : ", closed")
        + "]";
  }
}
