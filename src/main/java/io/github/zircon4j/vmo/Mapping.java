package io.github.zircon4j.vmo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A writable mapping of a VMO: the Java port of Fuchsia's Rust {@code mapped_vmo::Mapping} (and of
 * C++'s {@code fzl::VmoMapper}). Writes through {@link #segment()} or {@link #asByteBuffer()} go
 * straight into the VMO, and the VMO's own writes show in the mapping: there is no copy.
 *
 * <p>{@link #allocate(long)} creates a VMO and maps all of it ({@code ZX_VM_PERM_READ |
 * ZX_VM_PERM_WRITE | ZX_VM_MAP_RANGE | ZX_VM_REQUIRE_NON_RESIZABLE}); the mapping owns that VMO
 * ({@link #vmo()}) and closes it with itself. {@link #create(Vmo, long, long)} maps a range of a
 * VMO the caller keeps owning, and {@link #map(Vmo, long, long, Arena)} hands such a mapping to the
 * caller's arena. The VMO must not be resizable ({@code ZX_VM_REQUIRE_NON_RESIZABLE}: a resizable
 * VMO fails with {@code ZX_ERR_NOT_SUPPORTED}, as in Rust), so that it cannot shrink under the
 * mapping; its handle needs {@link ZxRights#READ}, {@link ZxRights#WRITE} and {@link ZxRights#MAP}.
 *
 * <p>The safety rules are those of {@link ImmutableMapping}: {@link #close()} unmaps, and any
 * access afterwards throws {@link IllegalStateException} instead of touching unmapped memory; a
 * mapping that is never closed is unmapped (and its VMO closed) once nothing reaches it, its
 * segment or a buffer of it, and the leak is logged (see {@link Vmo}). A mapping from {@code
 * allocate} or {@code create} is confined to the thread that created it (use or close from another
 * thread throws {@link WrongThreadException}); for a mapping that several threads use, pass a
 * shared arena to {@code map}.
 *
 * <p>The usual pairing is a writer that keeps a {@code Mapping} and readers that take {@link
 * ImmutableMapping} snapshots of {@link #vmo()}: a snapshot shows the bytes as they were when it
 * was taken, whatever the writer does afterwards.
 *
 * <pre>{@code
 * try (Mapping writer = Mapping.allocate(4096, "frames")) {
 *   writer.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
 *   try (ImmutableMapping snapshot = ImmutableMapping.create(writer.vmo(), false)) {
 *     writer.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 2);
 *     byte seen = snapshot.segment().get(ValueLayout.JAVA_BYTE, 0); // 1
 *   }
 * }
 * }</pre>
 */
public final class Mapping implements AutoCloseable {
  private static final String MAP_STEP = "map VMO";

  private final Arena arena;
  private final MemorySegment segment;
  private final Vmo ownedVmo; // null when the caller owns the VMO

  private Mapping(Arena arena, MemorySegment segment, Vmo ownedVmo) {
    this.arena = arena;
    this.segment = segment;
    this.ownedVmo = ownedVmo;
  }

  /**
   * Creates a VMO of {@code size} bytes and maps all of it read-write, every page mapped now. The
   * mapping owns the VMO: {@link #vmo()} returns it and {@link #close()} closes it. Confined to the
   * calling thread.
   *
   * @param size the mapping's size in bytes (the VMO is page-rounded; the view is exactly {@code
   *     size} bytes, as Rust's {@code len()}); 0 gives an empty mapping of an empty VMO
   * @return the mapping; close it to unmap and close the VMO
   * @throws IllegalArgumentException if {@code size} is negative
   * @throws ZxException at step "create VMO" or "map VMO"; nothing is left allocated then
   */
  public static Mapping allocate(long size) {
    return allocate(size, null, "Mapping.allocate(long)");
  }

  /**
   * Like {@link #allocate(long)}, and names the VMO ({@link Vmo#setName(String)}, truncated to 31
   * bytes), which shows in {@link Vmo#info()} and in zircon's memory diagnostics.
   *
   * @param size the mapping's size in bytes
   * @param name the VMO's name; must not contain NUL
   * @return the mapping; close it to unmap and close the VMO
   * @throws IllegalArgumentException if {@code size} is negative or {@code name} contains NUL
   * @throws ZxException at step "create VMO", "set VMO name" or "map VMO"; nothing is left
   *     allocated then
   */
  public static Mapping allocate(long size, String name) {
    Vmo.requireValidName(Objects.requireNonNull(name, "name"));
    return allocate(size, name, "Mapping.allocate(long, String)");
  }

  /** {@code name} null: leave the VMO unnamed. */
  private static Mapping allocate(long size, String name, String factory) {
    Vmo.requireNonNegative("size", size);
    Vmo vmo = Vmo.create(size);
    Arena arena = null;
    boolean opened = false;
    try {
      if (name != null) {
        vmo.setName(name);
      }
      arena = Arena.ofConfined();
      MemorySegment view = mapWritable(vmo, 0, size, true, arena, factory);
      opened = true;
      return new Mapping(arena, view, vmo);
    } finally {
      if (!opened) {
        if (arena != null) {
          arena.close();
        }
        vmo.close();
      }
    }
  }

  /**
   * Maps {@code length} bytes of a VMO from {@code offset} read-write, pages faulted in on first
   * touch, confined to the calling thread. The VMO stays the caller's: closing the mapping does not
   * close it, and the mapping stays valid after the caller closes it (the mapping holds its own
   * reference to the VMO).
   *
   * @param vmo the VMO to map; borrowed. Must not be resizable; its handle needs {@link
   *     ZxRights#READ}, {@link ZxRights#WRITE} and {@link ZxRights#MAP}.
   * @param offset where the view starts in the VMO; a multiple of the page size
   * @param length the view's length in bytes; 0 gives an empty mapping
   * @return the mapping; close it to unmap
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative, {@code
   *     offset} is not page-aligned, or the range is beyond the VMO's size
   * @throws IllegalStateException if {@code vmo} is closed
   * @throws ZxException at step "get VMO size" or "map VMO": {@code ZX_ERR_NOT_SUPPORTED} for a
   *     resizable VMO, {@code ZX_ERR_ACCESS_DENIED} without READ, WRITE or MAP
   */
  public static Mapping create(Vmo vmo, long offset, long length) {
    requireRange(offset, length);
    Arena arena = Arena.ofConfined();
    boolean opened = false;
    try {
      MemorySegment view =
          mapWritable(vmo, offset, length, false, arena, "Mapping.create(Vmo, long, long)");
      opened = true;
      return new Mapping(arena, view, null);
    } finally {
      if (!opened) {
        arena.close();
      }
    }
  }

  /**
   * Maps {@code length} bytes of a VMO from {@code offset} read-write into a segment owned by
   * {@code arena}: it is unmapped when the arena closes, and is as accessible as the arena makes it
   * (a shared arena lets every thread read and write it).
   *
   * @param vmo the VMO to map; borrowed, with the same requirements as in {@link #create}
   * @param offset where the segment starts in the VMO; a multiple of the page size
   * @param length the segment's length in bytes; 0 gives an empty segment
   * @param arena the arena that owns the mapping; must be alive
   * @return the writable segment, exactly {@code length} bytes
   * @throws IllegalArgumentException if the range is negative, unaligned or beyond the VMO
   * @throws IllegalStateException if {@code vmo} or {@code arena} is closed
   * @throws WrongThreadException if {@code arena} is confined to another thread
   * @throws ZxException at step "get VMO size" or "map VMO"
   */
  public static MemorySegment map(Vmo vmo, long offset, long length, Arena arena) {
    requireRange(offset, length);
    MappedSegments.requireUsable(Objects.requireNonNull(arena, "arena"));
    return mapWritable(vmo, offset, length, false, arena, null);
  }

  private static void requireRange(long offset, long length) {
    Vmo.requireNonNegative("offset", offset);
    Vmo.requireNonNegative("length", length);
  }

  /**
   * Checks the range against the VMO's size, maps it read-write (every page now if {@code
   * immediatelyPage}) and hands the mapping to {@code arena}; {@code factory} as in {@link
   * MappedSegments#own}.
   */
  private static MemorySegment mapWritable(
      Vmo vmo, long offset, long length, boolean immediatelyPage, Arena arena, String factory) {
    int handle = Objects.requireNonNull(vmo, "vmo").handle();
    long viewLength = MappedSegments.checkRange(Syscalls.vmoGetSize(handle), offset, length);
    if (viewLength == 0) {
      return MappedSegments.emptyView(arena); // zx_vmar_map rejects length 0
    }
    long mappedLength = Syscalls.roundUpToPage(viewLength);
    // The range lies inside the VMO, which cannot shrink (REQUIRE_NON_RESIZABLE), so no access
    // through the mapping can fault for lack of pages (ZX_VM_ALLOW_FAULTS is not needed).
    int options =
        immediatelyPage ? Syscalls.VM_READ_WRITE | Syscalls.VM_MAP_RANGE : Syscalls.VM_READ_WRITE;
    long address = Syscalls.vmarMapRoot(MAP_STEP, options, handle, offset, mappedLength);
    // Mapped: the mapping holds its own reference to the VMO, so the caller may drop the Vmo now
    // (until here, a Vmo becoming unreachable could have its handle closed under the syscalls).
    Reference.reachabilityFence(vmo);
    if (address == 0) {
      throw MappedSegments.mappedAtZero(MAP_STEP, mappedLength);
    }
    // Safety: a read-write mapping of the VMO's pages that only `arena` can unmap (see
    // MappedSegments.own). Writing it is the point; the mapping holds its own reference to the
    // VMO, so closing the VMO's handle does not invalidate it.
    return MappedSegments.own(address, viewLength, mappedLength, arena, "Mapping", factory);
  }

  /**
   * The VMO this mapping created and owns ({@link #allocate(long)}): write it, snapshot it, name
   * it, or hand on a duplicate. It is closed with the mapping; do not close it yourself.
   *
   * @return the owned VMO
   * @throws IllegalStateException if the mapping is closed, or if it maps a VMO the caller owns
   *     ({@link #create(Vmo, long, long)}): the caller has that VMO already
   */
  public Vmo vmo() {
    if (ownedVmo == null) {
      throw new IllegalStateException(
          "this mapping borrows its VMO (Mapping.create); vmo() is only for Mapping.allocate");
    }
    if (!arena.scope().isAlive()) {
      throw new IllegalStateException("mapping is closed");
    }
    return ownedVmo;
  }

  /**
   * The writable view, exactly {@link #size()} bytes.
   *
   * @return the mapped memory; any access after {@link #close()} throws {@link
   *     IllegalStateException}
   * @throws IllegalStateException if closed
   * @throws WrongThreadException if the mapping is confined to another thread
   */
  public MemorySegment segment() {
    MappedSegments.checkUsable(arena, segment);
    return segment;
  }

  /**
   * The view as a writable {@link ByteBuffer} (big-endian, as every new buffer). Accesses after
   * {@link #close()} throw {@link IllegalStateException}.
   *
   * @return a writable buffer over the whole mapping
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
   * A writable {@link ByteBuffer} over {@code length} bytes from {@code offset}: how to reach every
   * byte of a mapping larger than 2 GiB through buffers.
   *
   * @param offset where the window starts, {@code 0 <= offset <= size()}
   * @param length the window's length, {@code 0 <= length <= size() - offset}
   * @return a writable buffer over the window
   * @throws IndexOutOfBoundsException if the window is not inside the mapping
   * @throws IllegalStateException if closed
   * @throws WrongThreadException if the mapping is confined to another thread
   */
  public ByteBuffer asByteBuffer(long offset, int length) {
    MappedSegments.checkUsable(arena, segment);
    return MappedSegments.window(segment, offset, length);
  }

  /**
   * The view's size in bytes: the size given to {@code allocate}, or the length given to {@code
   * create}.
   *
   * @return the number of bytes in {@link #segment()}
   */
  public long size() {
    return segment.byteSize();
  }

  /**
   * Whether {@link #close()} has unmapped the view.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return !arena.scope().isAlive();
  }

  /**
   * Unmaps the view and, for {@link #allocate(long)}, closes the VMO. Idempotent. Only the
   * mapping's own thread may close it.
   *
   * @throws WrongThreadException if the mapping is confined to another thread; nothing changes
   */
  @Override
  public void close() {
    MappedSegments.close(arena, segment);
    if (ownedVmo != null) {
      ownedVmo.close();
    }
  }

  /**
   * Shows the size, the address and whether the mapping is open; callable from any thread, also
   * after close.
   *
   * @return {@code "Mapping[size=4096, address=0x7f0000001000, open]"} or the like
   */
  @Override
  public String toString() {
    return MappedSegments.describe("Mapping", arena, segment);
  }
}
