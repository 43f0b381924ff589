package io.github.zircon4j.vmo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A mapping of a VMO as it is, writable or read-only: the Java port of Fuchsia's Rust {@code
 * mapped_vmo::Mapping} and of C++'s {@code fzl::VmoMapper} / {@code fzl::OwnedVmoMapper}. Writes
 * through {@link #segment()} or {@link #asByteBuffer()} go straight into the VMO, and the VMO's own
 * writes show in the mapping: there is no copy.
 *
 * <p>{@link #allocate(long, MapOption...)} creates a VMO ({@code zx_vmo_create}) and maps all of it
 * ({@code zx_vmar_map} with {@code ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_MAP_RANGE |
 * ZX_VM_REQUIRE_NON_RESIZABLE}); the mapping owns that VMO: {@link #vmo()} lends it, and closing
 * the mapping closes it ({@code zx_handle_close}). {@link #create(Vmo, MapOption...)} maps a VMO
 * the caller keeps owning, whole or a range, and {@link #map} hands such a mapping to the caller's
 * arena. The VMO must not be resizable ({@code ZX_VM_REQUIRE_NON_RESIZABLE}: a resizable VMO fails
 * with {@code ZX_ERR_NOT_SUPPORTED}, as in Rust), so that it cannot shrink under the mapping; its
 * handle needs {@link ZxRights#READ}, {@link ZxRights#MAP} and, unless {@link MapOption#READ_ONLY},
 * {@link ZxRights#WRITE}.
 *
 * <p>The same choices as {@link ImmutableMapping}, passed as {@link MapOption}s: confined to the
 * creating thread (the default), {@link MapOption#SHARED} (any thread may read, write and close,
 * like Rust's {@code Send + Sync} {@code Mapping}), or a segment owned by the caller's arena
 * ({@link #map}); pages mapped on first touch or with {@link MapOption#PAGE_IMMEDIATELY}; and,
 * unlike a snapshot, {@link MapOption#READ_ONLY} for a live read-only view.
 *
 * <p>The safety rules are those of {@link ImmutableMapping}: {@link #close()} unmaps ({@code
 * zx_vmar_unmap}), and any access afterwards throws {@link IllegalStateException} instead of
 * touching unmapped memory; a mapping that is never closed is unmapped (and its owned VMO closed)
 * once nothing reaches it, its segment or a buffer of it, and the leak is logged (see {@link Vmo}).
 *
 * <p>The usual pairing is a writer that keeps a {@code Mapping} and readers that take {@link
 * ImmutableMapping} snapshots of {@link #vmo()}: a snapshot shows the bytes as they were when it
 * was taken, whatever the writer does afterwards.
 *
 * <pre>{@code
 * try (Mapping writer = Mapping.allocate(4096, "frames")) {
 *   writer.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
 *   try (ImmutableMapping snapshot = ImmutableMapping.create(writer.vmo())) {
 *     writer.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 2);
 *     byte seen = snapshot.segment().get(ValueLayout.JAVA_BYTE, 0); // 1
 *   }
 * }
 * }</pre>
 */
public final class Mapping implements AutoCloseable {
  private final Arena arena;
  private final MemorySegment segment;
  private final Vmo ownedVmo; // null when the caller owns the VMO

  private Mapping(Arena arena, MemorySegment segment, Vmo ownedVmo) {
    this.arena = arena;
    this.segment = segment;
    this.ownedVmo = ownedVmo;
    if (ownedVmo != null) {
      ownedVmo.ownedBy(this);
    }
  }

  /**
   * Creates a VMO of {@code size} bytes and maps all of it read-write, every page mapped now:
   * Rust's {@code Mapping::allocate} and fzl's {@code OwnedVmoMapper::CreateAndMap}. The mapping
   * owns the VMO: {@link #vmo()} lends it, and {@link #close()} closes it.
   *
   * @param size the mapping's size in bytes (the VMO is page-rounded; the view is exactly {@code
   *     size} bytes, as Rust's {@code len()}); 0 gives an empty mapping of an empty VMO
   * @param options {@link MapOption#SHARED}, or none ({@link MapOption#PAGE_IMMEDIATELY} is always
   *     on)
   * @return the mapping; close it to unmap and close the VMO
   * @throws NullPointerException if {@code options} or one of them is null
   * @throws IllegalArgumentException if {@code size} is negative, or for {@link
   *     MapOption#READ_ONLY} (a new VMO is all zeros)
   * @throws ZxException at {@link ZxException.Step#CREATE_VMO} or {@link ZxException.Step#MAP_VMO};
   *     nothing is left allocated then
   */
  public static Mapping allocate(long size, MapOption... options) {
    return allocateNamed(size, null, options);
  }

  /**
   * Like {@link #allocate(long, MapOption...)}, and names the VMO ({@code
   * zx_object_set_property(ZX_PROP_NAME)}, truncated to 31 bytes), which shows in {@link
   * Vmo#info()} and in zircon's memory diagnostics: Rust's {@code Mapping::allocate_with_name}.
   *
   * @param size the mapping's size in bytes
   * @param name the VMO's name; must not contain NUL
   * @param options {@link MapOption#SHARED}, or none
   * @return the mapping; close it to unmap and close the VMO
   * @throws NullPointerException if {@code name}, {@code options} or one of them is null
   * @throws IllegalArgumentException if {@code size} is negative, {@code name} contains NUL, or for
   *     {@link MapOption#READ_ONLY}
   * @throws ZxException at {@link ZxException.Step#CREATE_VMO}, {@link
   *     ZxException.Step#SET_VMO_NAME} or {@link ZxException.Step#MAP_VMO}; nothing is left
   *     allocated then
   */
  public static Mapping allocate(long size, String name, MapOption... options) {
    Vmo.requireValidName(Objects.requireNonNull(name, "name"));
    return allocateNamed(size, name, options);
  }

  /** {@code name} null: leave the VMO unnamed. */
  private static Mapping allocateNamed(long size, String name, MapOption[] options) {
    MapOption.Chosen chosen = MapOption.Chosen.of("Mapping.allocate", false, true, options);
    if (chosen.readOnly()) {
      throw new IllegalArgumentException(
          "Mapping.allocate: MapOption.READ_ONLY does not apply, a new VMO is all zeros; map it"
              + " read-write, or map an existing VMO with Mapping.create(vmo, MapOption.READ_ONLY)");
    }
    Vmo.requireNonNegative("size", size);
    Vmo vmo = Vmo.create(size);
    Arena arena = null;
    boolean opened = false;
    try {
      if (name != null) {
        vmo.setName(name);
      }
      arena = chosen.shared() ? Arena.ofShared() : Arena.ofConfined();
      MemorySegment view =
          mapVmo(
              vmo,
              0,
              size,
              Syscalls.VM_READ_WRITE | Syscalls.VM_MAP_RANGE,
              arena,
              "Mapping.allocate");
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
   * Maps the whole VMO ({@code zx_vmo_get_size}, then {@code zx_vmar_map}): Rust's {@code
   * Mapping::create_from_vmo} and fzl's {@code VmoMapper::Map} with size 0. The VMO stays the
   * caller's: closing the mapping does not close it, and the mapping stays valid after the caller
   * closes it (the mapping holds its own reference to the VMO).
   *
   * @param vmo the VMO to map; borrowed. Must not be resizable; its handle needs {@link
   *     ZxRights#READ}, {@link ZxRights#MAP} and, unless read-only, {@link ZxRights#WRITE}.
   * @param options {@link MapOption#SHARED}, {@link MapOption#PAGE_IMMEDIATELY}, {@link
   *     MapOption#READ_ONLY}, or none
   * @return the mapping; close it to unmap
   * @throws NullPointerException if {@code vmo}, {@code options} or one of them is null
   * @throws IllegalStateException if {@code vmo} is closed
   * @throws ZxException at {@link ZxException.Step#GET_VMO_SIZE} or {@link
   *     ZxException.Step#MAP_VMO}: {@code ZX_ERR_NOT_SUPPORTED} for a resizable VMO, {@code
   *     ZX_ERR_ACCESS_DENIED} without READ, WRITE or MAP
   */
  public static Mapping create(Vmo vmo, MapOption... options) {
    return open(vmo, 0, -1, options);
  }

  /**
   * Maps {@code length} bytes of a VMO from {@code offset}, as {@link #create(Vmo, MapOption...)}
   * does the whole VMO: fzl's {@code VmoMapper::Map(vmo, offset, size, flags)}.
   *
   * @param vmo the VMO to map; borrowed, with the requirements of {@link #create(Vmo,
   *     MapOption...)}
   * @param offset where the view starts in the VMO; a multiple of {@link Vmo#pageSize()}
   * @param length the view's length in bytes; 0 gives an empty mapping
   * @param options {@link MapOption#SHARED}, {@link MapOption#PAGE_IMMEDIATELY}, {@link
   *     MapOption#READ_ONLY}, or none
   * @return the mapping; close it to unmap
   * @throws NullPointerException if {@code vmo}, {@code options} or one of them is null
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative, {@code
   *     offset} is not page-aligned, or the range is beyond the VMO's size
   * @throws IllegalStateException if {@code vmo} is closed
   * @throws ZxException at {@link ZxException.Step#GET_VMO_SIZE} or {@link
   *     ZxException.Step#MAP_VMO}
   */
  public static Mapping create(Vmo vmo, long offset, long length, MapOption... options) {
    requireRange(offset, length);
    return open(vmo, offset, length, options);
  }

  private static Mapping open(Vmo vmo, long offset, long length, MapOption[] options) {
    MapOption.Chosen chosen = MapOption.Chosen.of("Mapping.create", false, true, options);
    Objects.requireNonNull(vmo, "vmo");
    Arena arena = chosen.shared() ? Arena.ofShared() : Arena.ofConfined();
    boolean opened = false;
    try {
      MemorySegment view = mapVmo(vmo, offset, length, vmOptions(chosen), arena, "Mapping.create");
      opened = true;
      return new Mapping(arena, view, null);
    } finally {
      if (!opened) {
        arena.close();
      }
    }
  }

  /**
   * Maps {@code length} bytes of a VMO from {@code offset} into a segment owned by {@code arena}:
   * it is unmapped when the arena closes, and is as accessible as the arena makes it (a shared
   * arena lets every thread use it), like {@code FileChannel.map(mode, offset, size, arena)}. For
   * the whole VMO, pass offset 0 and {@link Vmo#size()}.
   *
   * @param vmo the VMO to map; borrowed, with the requirements of {@link #create(Vmo,
   *     MapOption...)}
   * @param offset where the segment starts in the VMO; a multiple of the page size
   * @param length the segment's length in bytes; 0 gives an empty segment
   * @param arena the arena that owns the mapping; must be alive
   * @param options {@link MapOption#PAGE_IMMEDIATELY}, {@link MapOption#READ_ONLY}, or none
   * @return the segment, exactly {@code length} bytes; read-only with {@link MapOption#READ_ONLY}
   * @throws NullPointerException if {@code vmo}, {@code arena}, {@code options} or one of them is
   *     null
   * @throws IllegalArgumentException if the range is negative, unaligned or beyond the VMO, or for
   *     {@link MapOption#SHARED}
   * @throws IllegalStateException if {@code vmo} or {@code arena} is closed
   * @throws WrongThreadException if {@code arena} is confined to another thread
   * @throws ZxException at {@link ZxException.Step#GET_VMO_SIZE} or {@link
   *     ZxException.Step#MAP_VMO}
   */
  public static MemorySegment map(
      Vmo vmo, long offset, long length, Arena arena, MapOption... options) {
    MapOption.Chosen chosen = MapOption.Chosen.of("Mapping.map", true, true, options);
    requireRange(offset, length);
    MappedSegments.requireUsable(Objects.requireNonNull(arena, "arena"));
    return mapVmo(vmo, offset, length, vmOptions(chosen), arena, null);
  }

  private static int vmOptions(MapOption.Chosen chosen) {
    int options = chosen.readOnly() ? Syscalls.VM_READ_ONLY : Syscalls.VM_READ_WRITE;
    return chosen.pageImmediately() ? options | Syscalls.VM_MAP_RANGE : options;
  }

  private static void requireRange(long offset, long length) {
    Vmo.requireNonNegative("offset", offset);
    Vmo.requireNonNegative("length", length);
  }

  /**
   * Checks the range against the VMO's size ({@code length < 0}: all of it), maps it with the
   * zx_vm_option_t {@code options} and hands the mapping to {@code arena}; {@code method} as in
   * {@link MappedSegments#own}.
   */
  private static MemorySegment mapVmo(
      Vmo vmo, long offset, long length, int options, Arena arena, String method) {
    int handle = Objects.requireNonNull(vmo, "vmo").handle();
    long vmoSize = Syscalls.vmoGetSize(handle);
    long viewLength = length < 0 ? vmoSize : MappedSegments.checkRange(vmoSize, offset, length);
    boolean readOnly = (options & Syscalls.VM_READ_WRITE) != Syscalls.VM_READ_WRITE;
    if (viewLength == 0) {
      MemorySegment empty = MappedSegments.emptyView(arena); // zx_vmar_map rejects length 0
      return readOnly ? empty.asReadOnly() : empty;
    }
    long mappedLength = Syscalls.roundUpToPage(viewLength);
    // The range lies inside the VMO, which cannot shrink (REQUIRE_NON_RESIZABLE), so no access
    // through the mapping can fault for lack of pages (ZX_VM_ALLOW_FAULTS is not needed).
    long address =
        Syscalls.vmarMapRoot(ZxException.Step.MAP_VMO, options, handle, offset, mappedLength);
    // Mapped: the mapping holds its own reference to the VMO, so the caller may drop the Vmo now
    // (until here, a Vmo becoming unreachable could have its handle closed under the syscalls).
    Reference.reachabilityFence(vmo);
    if (address == 0) {
      throw MappedSegments.mappedAtZero(mappedLength);
    }
    // Safety: a mapping of the VMO's pages that only `arena` can unmap (see MappedSegments.own).
    // Writing a writable one is the point; a read-only one is mapped without PERM_WRITE and its
    // segment is read-only, so no Java code writes it. The mapping holds its own reference to the
    // VMO, so closing the VMO's handle does not invalidate it.
    MemorySegment view =
        MappedSegments.own(address, viewLength, mappedLength, arena, "Mapping", method);
    return readOnly ? view.asReadOnly() : view;
  }

  /**
   * The VMO this mapping created and owns ({@link #allocate(long, MapOption...)}), lent to the
   * caller: write it, snapshot it, name it, or hand on a {@link Vmo#duplicate() duplicate}. It is
   * closed with the mapping; its own {@code close()}, {@code release()} and {@code replace()} throw
   * {@link IllegalStateException} naming this mapping. Makes no syscall.
   *
   * @return the owned VMO
   * @throws IllegalStateException if the mapping is closed, or if it maps a VMO the caller owns
   *     ({@link #create(Vmo, MapOption...)}): the caller has that VMO already
   */
  public Vmo vmo() {
    if (ownedVmo == null) {
      throw new IllegalStateException(
          "this mapping borrows its VMO (Mapping.create or Mapping.map); vmo() is only for"
              + " Mapping.allocate, the caller already has the VMO it mapped");
    }
    if (!arena.scope().isAlive()) {
      throw new IllegalStateException("mapping is closed");
    }
    return ownedVmo;
  }

  /**
   * The view, exactly {@link #size()} bytes; read-only for {@link MapOption#READ_ONLY}. Its {@code
   * load()}, {@code isLoaded()}, {@code unload()} and {@code force()} throw {@link
   * UnsupportedOperationException} ("Not a mapped segment": they are for files mapped by {@code
   * FileChannel.map}); {@link #prefetch()} is what {@code load()} would do here, and stores need no
   * {@code force()}: they are in the VMO at once.
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
   * The view as a {@link ByteBuffer}, read-only for {@link MapOption#READ_ONLY} (big-endian, as
   * every new buffer). Accesses after {@link #close()} throw {@link IllegalStateException}.
   *
   * @return a buffer over the whole mapping
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
   * A {@link ByteBuffer} (read-only for {@link MapOption#READ_ONLY}) over {@code length} bytes from
   * {@code offset}: how to reach every byte of a mapping larger than 2 GiB through buffers.
   *
   * @param offset where the window starts, {@code 0 <= offset <= size()}
   * @param length the window's length, {@code 0 <= length <= size() - offset}
   * @return a buffer over the window
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
   * MappedByteBuffer.load()} is for a mapped file. It changes no byte. An empty mapping does
   * nothing.
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
   * The view's size in bytes: the size given to {@code allocate}, the VMO's size, or the length
   * given to {@code create}: Rust's {@code len()}.
   *
   * @return the number of bytes in {@link #segment()}; makes no syscall
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
   * Unmaps the view ({@code zx_vmar_unmap}) and, for {@link #allocate(long, MapOption...)}, closes
   * the VMO ({@code zx_handle_close}). Idempotent. A confined mapping may only be closed by its own
   * thread.
   *
   * @throws WrongThreadException if the mapping is confined to another thread; nothing changes
   */
  @Override
  public void close() {
    MappedSegments.close(arena, segment);
    if (ownedVmo != null) {
      ownedVmo.closeByOwner();
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
