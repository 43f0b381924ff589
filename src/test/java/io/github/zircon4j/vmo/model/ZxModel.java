package io.github.zircon4j.vmo.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pure-Java reference model of the zircon VMO subset this project uses: VMO objects, handles with
 * rights, sizes, page contents, snapshot and slice children, mappings in the root VMAR, and the
 * {@code ZX_VMO_ZERO_CHILDREN} signal. It encodes zircon's documented behaviour (the facts sheet),
 * not any implementation's: every syscall returns the status the facts sheet prescribes, with
 * checks in the documented order.
 *
 * <p>The model copies eagerly where zircon copies lazily: a snapshot child gets its own copy of the
 * parent's bytes at creation. Observably that is the same thing (the facts sheet: "the child
 * behaves as if all data had been copied at creation time").
 *
 * <p>Handles are model tokens (small ints); mapping addresses are not chosen by the model but
 * recorded from the system under test ({@link #vmarMap}), since zircon picks them at random.
 *
 * <h2>Decisions where the facts sheet is silent or offers two answers</h2>
 *
 * <ol>
 *   <li><b>SNAPSHOT_AT_LEAST_ON_WRITE</b> is modelled exactly like SNAPSHOT. The facts allow such a
 *       child to (but need not) see later parent writes; for VMOs that are not pager-backed (all of
 *       them here) zircon gives snapshot semantics, and the model checks that stronger guarantee.
 *   <li><b>Snapshot of a slice</b> is allowed and snapshots the slice's window.
 *   <li><b>Snapshot with an unaligned size</b> copies whole pages: the bytes between the unrounded
 *       size and the page end come from the parent, they are not zeroed.
 *   <li><b>SLICE not inside the parent</b> (an offset + size that wraps included) gives {@code
 *       INVALID_ARGS}, checked before the parent's resizability ({@code NOT_SUPPORTED}), as
 *       zircon's core slice tests expect.
 *   <li><b>Accumulated offsets</b>: a snapshot child's offset is added to its ancestors'; if that
 *       sum, or the sum plus the (rounded) size, passes 2^64, create_child and set_size give {@code
 *       INVALID_ARGS} (after the OUT_OF_RANGE checks).
 *   <li><b>Rights of a child</b>: {@code ZX_RIGHT_RESIZE} is removed from every child's rights and
 *       added back only for {@code ZX_VMO_CHILD_RESIZABLE} children; a resizable VMO from {@code
 *       zx_vmo_create} gets the default rights plus {@code RESIZE}.
 *   <li><b>zx_vmo_set_size</b> checks {@code WRITE} (ACCESS_DENIED), then resizability
 *       (UNAVAILABLE), then {@code RESIZE} (ACCESS_DENIED), then the size (OUT_OF_RANGE).
 *   <li><b>zx_vmo_create / create_child</b> check the options (INVALID_ARGS) before the size
 *       (OUT_OF_RANGE). The largest VMO size is implementation-defined: the model only knows that a
 *       size whose page-rounding overflows u64 is out of range, so callers must not ask for sizes
 *       between {@link #MAX_MODELLED_SIZE} and that.
 *   <li><b>zx_vmar_map, two kernel generations</b>: a mapping that runs past the VMO's end without
 *       {@code ALLOW_FAULTS} gives {@code BUFFER_TOO_SMALL} (newer kernels; it never maps unbacked
 *       pages), while mapping a resizable VMO without {@code ALLOW_FAULTS} is allowed (older
 *       kernels; the core test ResizeHazard does it). {@code REQUIRE_NON_RESIZABLE} on a resizable
 *       VMO gives {@code NOT_SUPPORTED}. Checks in the observed order: handle, MAP right,
 *       arguments, overflow, READ/WRITE rights, resizability, size.
 *   <li><b>zx_vmar_unmap</b> of a range that intersects no mapping gives {@code NOT_FOUND}.
 *   <li><b>Hidden-node collapse</b>: a VMO lives while it has a handle or a mapping; when it dies,
 *       its children become children of its parent (so a grandparent keeps lacking {@code
 *       ZERO_CHILDREN} while a grandchild lives).
 * </ol>
 */
public final class ZxModel {
  /** Sizes up to this are modelled exactly; larger ones only if their rounding overflows u64. */
  public static final long MAX_MODELLED_SIZE = 1L << 30;

  /** The model's token for the root VMAR handle (never closed). */
  public static final int ROOT_VMAR = -1;

  private final long page;
  private final Map<Integer, Handle> handles = new HashMap<>();
  private final List<VmoObj> vmos = new ArrayList<>();
  private final List<Piece> pieces = new ArrayList<>();
  private int nextHandle = 1;
  private int nextKoid = 1;

  /** A result with a status and, when the status is OK, a value. */
  public record Result<T>(int status, T value) {
    static <T> Result<T> error(int status) {
      return new Result<>(status, null);
    }

    static <T> Result<T> ok(T value) {
      return new Result<>(Zx.OK, value);
    }
  }

  /** One live, contiguous piece of a mapping (a partial unmap splits a mapping into pieces). */
  public record Piece(
      long base, long length, int vmoKoid, long vmoOffset, boolean read, boolean write) {}

  private record Handle(VmoObj obj, int rights) {}

  private static final class VmoObj {
    final int koid;
    long size;
    final boolean resizable;
    byte[] data; // non-slices: the bytes, exactly `size` long
    final VmoObj sliceOf; // slices: the non-slice VMO whose pages they show
    final long sliceOffset;
    long rootOffset; // offsets of this VMO and its ancestors added up (u64)
    VmoObj parent; // for ZERO_CHILDREN; null for a VMO from zx_vmo_create (or an orphan)
    int handles;
    int mappings;
    boolean alive = true;

    VmoObj(int koid, long size, boolean resizable, VmoObj sliceOf, long sliceOffset) {
      this.koid = koid;
      this.size = size;
      this.resizable = resizable;
      this.sliceOf = sliceOf;
      this.sliceOffset = sliceOffset;
      this.data = sliceOf == null ? new byte[Math.toIntExact(size)] : null;
    }

    byte[] bytes() {
      return sliceOf == null ? data : sliceOf.data;
    }

    long base() {
      return sliceOf == null ? 0 : sliceOffset;
    }

    void read(long offset, byte[] into, int at, int length) {
      System.arraycopy(bytes(), Math.toIntExact(base() + offset), into, at, length);
    }

    void write(long offset, byte[] from, int at, int length) {
      System.arraycopy(from, at, bytes(), Math.toIntExact(base() + offset), length);
    }
  }

  public ZxModel(long pageSize) {
    this.page = pageSize;
  }

  public long pageSize() {
    return page;
  }

  // ---- Arithmetic on u64 values held in Java longs ------------------------------------------

  private static boolean gtU(long a, long b) {
    return Long.compareUnsigned(a, b) > 0;
  }

  /** Page-rounds u64 {@code size}; returns null if the rounding overflows u64. */
  private Long roundUp(long size) {
    long r = (size + page - 1) & -page;
    return Long.compareUnsigned(r, size) < 0 ? null : r;
  }

  private boolean tooBig(long size) {
    Long r = roundUp(size);
    if (r == null) {
      return true;
    }
    if (gtU(r, MAX_MODELLED_SIZE)) {
      throw new IllegalArgumentException(
          "size " + Long.toUnsignedString(size) + " is outside what the model decides");
    }
    return false;
  }

  // ---- Handles ------------------------------------------------------------------------------

  private int newHandle(VmoObj obj, int rights) {
    int token = nextHandle++;
    handles.put(token, new Handle(obj, rights));
    obj.handles++;
    return token;
  }

  /** The handle's entry, or null: BAD_HANDLE. The root VMAR is a handle of another type. */
  private Handle lookup(int token) {
    return handles.get(token);
  }

  /** Status of looking up a VMO handle: OK, BAD_HANDLE or WRONG_TYPE. */
  private int vmoLookupStatus(int token) {
    if (token == ROOT_VMAR) {
      return Zx.ERR_WRONG_TYPE;
    }
    return lookup(token) == null ? Zx.ERR_BAD_HANDLE : Zx.OK;
  }

  /** Live handle tokens, in creation order. */
  public List<Integer> liveHandles() {
    List<Integer> live = new ArrayList<>(handles.keySet());
    Collections.sort(live);
    return live;
  }

  /** Whether {@code token} names a live handle. */
  public boolean isLive(int token) {
    return handles.containsKey(token);
  }

  public int rightsOf(int token) {
    return handles.get(token).rights;
  }

  public boolean isResizable(int token) {
    return handles.get(token).obj.resizable;
  }

  public long sizeOf(int token) {
    return handles.get(token).obj.size;
  }

  private void releaseHandle(VmoObj obj) {
    obj.handles--;
    maybeDestroy(obj);
  }

  private void maybeDestroy(VmoObj obj) {
    if (!obj.alive || obj.handles > 0 || obj.mappings > 0) {
      return;
    }
    obj.alive = false;
    vmos.remove(obj);
    for (VmoObj other : vmos) {
      if (other.parent == obj) {
        other.parent = obj.parent; // hidden-node collapse
      }
    }
  }

  private boolean hasLiveChildren(VmoObj obj) {
    for (VmoObj other : vmos) {
      if (other.parent == obj) {
        return true;
      }
    }
    return false;
  }

  // ---- Syscalls -----------------------------------------------------------------------------

  /** zx_vmo_create. */
  public Result<Integer> vmoCreate(long size, int options) {
    if ((options & ~Zx.VMO_RESIZABLE) != 0) {
      return Result.error(Zx.ERR_INVALID_ARGS);
    }
    if (tooBig(size)) {
      return Result.error(Zx.ERR_OUT_OF_RANGE);
    }
    boolean resizable = (options & Zx.VMO_RESIZABLE) != 0;
    VmoObj obj = new VmoObj(nextKoid++, roundUp(size), resizable, null, 0);
    vmos.add(obj);
    return Result.ok(newHandle(obj, Zx.DEFAULT_VMO_RIGHTS | (resizable ? Zx.RIGHT_RESIZE : 0)));
  }

  /** zx_vmo_read of {@code length} bytes. */
  public Result<byte[]> vmoRead(int token, long offset, int length) {
    int status = vmoLookupStatus(token);
    if (status != Zx.OK) {
      return Result.error(status);
    }
    Handle h = lookup(token);
    if ((h.rights & Zx.RIGHT_READ) == 0) {
      return Result.error(Zx.ERR_ACCESS_DENIED);
    }
    if (gtU(offset, h.obj.size) || gtU(length, h.obj.size - offset)) {
      return Result.error(Zx.ERR_OUT_OF_RANGE);
    }
    byte[] out = new byte[length];
    h.obj.read(offset, out, 0, length);
    return Result.ok(out);
  }

  /** zx_vmo_write. */
  public int vmoWrite(int token, long offset, byte[] data) {
    int status = vmoLookupStatus(token);
    if (status != Zx.OK) {
      return status;
    }
    Handle h = lookup(token);
    if ((h.rights & Zx.RIGHT_WRITE) == 0) {
      return Zx.ERR_ACCESS_DENIED;
    }
    if (gtU(offset, h.obj.size) || gtU(data.length, h.obj.size - offset)) {
      return Zx.ERR_OUT_OF_RANGE;
    }
    h.obj.write(offset, data, 0, data.length);
    return Zx.OK;
  }

  /** zx_vmo_get_size: no right needed. */
  public Result<Long> vmoGetSize(int token) {
    int status = vmoLookupStatus(token);
    return status != Zx.OK ? Result.error(status) : Result.ok(lookup(token).obj.size);
  }

  /** zx_vmo_set_size. */
  public int vmoSetSize(int token, long size) {
    int status = vmoLookupStatus(token);
    if (status != Zx.OK) {
      return status;
    }
    Handle h = lookup(token);
    if ((h.rights & Zx.RIGHT_WRITE) == 0) {
      return Zx.ERR_ACCESS_DENIED;
    }
    if (!h.obj.resizable) {
      return Zx.ERR_UNAVAILABLE;
    }
    if ((h.rights & Zx.RIGHT_RESIZE) == 0) {
      return Zx.ERR_ACCESS_DENIED;
    }
    if (tooBig(size)) {
      return Zx.ERR_OUT_OF_RANGE;
    }
    long rounded = roundUp(size);
    VmoObj obj = h.obj; // resizable, so never a slice
    if (gtU(rounded, -1L - obj.rootOffset)) {
      return Zx.ERR_INVALID_ARGS;
    }
    obj.data = Arrays.copyOf(obj.data, Math.toIntExact(rounded));
    // The bytes from the new size to the next page boundary are zeroed.
    Arrays.fill(obj.data, Math.toIntExact(size), Math.toIntExact(rounded), (byte) 0);
    obj.size = rounded;
    return Zx.OK;
  }

  /** zx_vmo_create_child. */
  public Result<Integer> vmoCreateChild(int token, int options, long offset, long size) {
    int status = vmoLookupStatus(token);
    if (status != Zx.OK) {
      return Result.error(status);
    }
    Handle h = lookup(token);
    int needed = Zx.RIGHT_DUPLICATE | Zx.RIGHT_READ;
    if ((h.rights & needed) != needed) {
      return Result.error(Zx.ERR_ACCESS_DENIED);
    }
    int types = Zx.CHILD_SNAPSHOT | Zx.CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | Zx.CHILD_SLICE;
    int known = types | Zx.CHILD_RESIZABLE | Zx.CHILD_NO_WRITE;
    int type = options & types;
    boolean slice = type == Zx.CHILD_SLICE;
    boolean resizable = (options & Zx.CHILD_RESIZABLE) != 0;
    boolean noWrite = (options & Zx.CHILD_NO_WRITE) != 0;
    if ((options & ~known) != 0
        || Integer.bitCount(type) != 1
        || (resizable && noWrite)
        || (resizable && slice)) {
      return Result.error(Zx.ERR_INVALID_ARGS);
    }
    if (offset % page != 0) { // a u64 multiple of the page size is a multiple as a long too
      return Result.error(Zx.ERR_INVALID_ARGS);
    }
    if (tooBig(size) || (!slice && gtU(size, -1L - offset))) {
      return Result.error(Zx.ERR_OUT_OF_RANGE);
    }
    long childSize = roundUp(size);
    VmoObj parent = h.obj;
    if (slice && (gtU(offset, parent.size) || gtU(childSize, parent.size - offset))) {
      return Result.error(Zx.ERR_INVALID_ARGS);
    }
    if (slice && parent.resizable) {
      return Result.error(Zx.ERR_NOT_SUPPORTED);
    }
    if (!slice
        && (gtU(offset, -1L - parent.rootOffset)
            || gtU(childSize, -1L - parent.rootOffset - offset))) {
      return Result.error(Zx.ERR_INVALID_ARGS);
    }
    VmoObj child;
    int rights;
    if (slice) {
      VmoObj backing = parent.sliceOf == null ? parent : parent.sliceOf;
      child = new VmoObj(nextKoid++, childSize, false, backing, parent.base() + offset);
      rights = h.rights | Zx.RIGHT_GET_PROPERTY | Zx.RIGHT_SET_PROPERTY;
      if (noWrite) {
        rights &= ~Zx.RIGHT_WRITE;
      }
    } else {
      child = new VmoObj(nextKoid++, childSize, resizable, null, 0);
      if (!gtU(offset, parent.size)) {
        long shown = Math.min(childSize, parent.size - offset);
        parent.read(offset, child.data, 0, Math.toIntExact(shown));
      }
      rights =
          noWrite
              ? (h.rights | Zx.RIGHT_GET_PROPERTY | Zx.RIGHT_SET_PROPERTY) & ~Zx.RIGHT_WRITE
              : (h.rights | Zx.RIGHT_GET_PROPERTY | Zx.RIGHT_SET_PROPERTY | Zx.RIGHT_WRITE)
                  & ~Zx.RIGHT_EXECUTE;
    }
    rights &= ~Zx.RIGHT_RESIZE;
    if (child.resizable) {
      rights |= Zx.RIGHT_RESIZE;
    }
    child.rootOffset = parent.rootOffset + offset;
    child.parent = parent;
    vmos.add(child);
    return Result.ok(newHandle(child, rights));
  }

  /** zx_handle_duplicate. */
  public Result<Integer> handleDuplicate(int token, int rights) {
    Handle h = lookup(token);
    if (h == null) {
      return Result.error(Zx.ERR_BAD_HANDLE);
    }
    if ((h.rights & Zx.RIGHT_DUPLICATE) == 0) {
      return Result.error(Zx.ERR_ACCESS_DENIED);
    }
    if (rights != Zx.RIGHT_SAME_RIGHTS && (rights & ~h.rights) != 0) {
      return Result.error(Zx.ERR_INVALID_ARGS);
    }
    return Result.ok(newHandle(h.obj, rights == Zx.RIGHT_SAME_RIGHTS ? h.rights : rights));
  }

  /** zx_handle_replace: the original handle is invalidated even when this fails. */
  public Result<Integer> handleReplace(int token, int rights) {
    Handle h = handles.remove(token);
    if (h == null) {
      return Result.error(Zx.ERR_BAD_HANDLE);
    }
    Result<Integer> result;
    if (rights != Zx.RIGHT_SAME_RIGHTS && (rights & ~h.rights) != 0) {
      result = Result.error(Zx.ERR_INVALID_ARGS);
    } else {
      result = Result.ok(newHandle(h.obj, rights == Zx.RIGHT_SAME_RIGHTS ? h.rights : rights));
    }
    releaseHandle(h.obj);
    return result;
  }

  /** zx_handle_close; closing ZX_HANDLE_INVALID (token 0) succeeds. */
  public int handleClose(int token) {
    if (token == 0) {
      return Zx.OK;
    }
    Handle h = handles.remove(token);
    if (h == null) {
      return Zx.ERR_BAD_HANDLE;
    }
    releaseHandle(h.obj);
    return Zx.OK;
  }

  /** The signals asserted on the handle's object (VMO handles only). */
  private int signalsOf(VmoObj obj) {
    return hasLiveChildren(obj) ? 0 : Zx.VMO_ZERO_CHILDREN;
  }

  /**
   * zx_object_wait_one with a deadline in the past (a poll). The value is the observed signals,
   * present for OK and TIMED_OUT.
   */
  public Result<Integer> objectWaitOnePoll(int token, int signals) {
    Handle h = lookup(token);
    if (h == null) {
      return Result.error(Zx.ERR_BAD_HANDLE);
    }
    if ((h.rights & Zx.RIGHT_WAIT) == 0) {
      return Result.error(Zx.ERR_ACCESS_DENIED);
    }
    int observed = signalsOf(h.obj);
    return new Result<>((observed & signals) != 0 ? Zx.OK : Zx.ERR_TIMED_OUT, observed);
  }

  /** The rights ZX_INFO_HANDLE_BASIC reports. */
  public Result<Integer> handleBasicRights(int token) {
    Handle h = lookup(token);
    return h == null ? Result.error(Zx.ERR_BAD_HANDLE) : Result.ok(h.rights);
  }

  /**
   * ZX_INFO_VMO's size_bytes and num_mappings (no right needed); the root VMAR gives WRONG_TYPE. A
   * mapping split by a partial unmap counts once per piece.
   */
  public Result<long[]> vmoInfo(int token) {
    int status = vmoLookupStatus(token);
    if (status != Zx.OK) {
      return Result.error(status);
    }
    VmoObj obj = lookup(token).obj;
    return Result.ok(new long[] {obj.size, obj.mappings});
  }

  // ---- Mappings -----------------------------------------------------------------------------

  /**
   * zx_vmar_map into the root VMAR. {@code addressIfMapped} is the address the system under test
   * returned (0 if it failed); it is checked and recorded only when the model also succeeds.
   */
  public int vmarMap(
      int options,
      long vmarOffset,
      int vmoToken,
      long vmoOffset,
      long length,
      long addressIfMapped) {
    int status = vmoLookupStatus(vmoToken);
    if (status != Zx.OK) {
      return status;
    }
    Handle h = lookup(vmoToken);
    if ((h.rights & Zx.RIGHT_MAP) == 0) {
      return Zx.ERR_ACCESS_DENIED;
    }
    int known =
        Zx.VM_PERM_READ
            | Zx.VM_PERM_WRITE
            | Zx.VM_PERM_EXECUTE
            | Zx.VM_SPECIFIC
            | Zx.VM_SPECIFIC_OVERWRITE
            | Zx.VM_MAP_RANGE
            | Zx.VM_REQUIRE_NON_RESIZABLE
            | Zx.VM_ALLOW_FAULTS
            | Zx.VM_PERM_READ_IF_XOM_UNSUPPORTED
            | Zx.VM_ALIGN_MASK;
    int align = (options & Zx.VM_ALIGN_MASK) >>> Zx.VM_ALIGN_BASE;
    boolean specific = (options & (Zx.VM_SPECIFIC | Zx.VM_SPECIFIC_OVERWRITE)) != 0;
    boolean r = (options & Zx.VM_PERM_READ) != 0;
    boolean w = (options & Zx.VM_PERM_WRITE) != 0;
    boolean x = (options & Zx.VM_PERM_EXECUTE) != 0;
    if (specific || x) {
      throw new IllegalArgumentException("the model does not cover SPECIFIC or EXECUTE mappings");
    }
    if ((options & ~known) != 0
        || (align != 0 && (align < 10 || align > 32))
        || vmarOffset != 0
        || vmoOffset % page != 0
        || length == 0
        || (w && !r)) {
      return Zx.ERR_INVALID_ARGS;
    }
    Long rounded = roundUp(length);
    if (rounded == null || gtU(vmoOffset, -1L - rounded)) {
      return Zx.ERR_OUT_OF_RANGE;
    }
    if ((r && (h.rights & Zx.RIGHT_READ) == 0) || (w && (h.rights & Zx.RIGHT_WRITE) == 0)) {
      return Zx.ERR_ACCESS_DENIED;
    }
    VmoObj obj = h.obj;
    if ((options & Zx.VM_REQUIRE_NON_RESIZABLE) != 0 && obj.resizable) {
      return Zx.ERR_NOT_SUPPORTED;
    }
    if ((options & Zx.VM_ALLOW_FAULTS) == 0 && gtU(vmoOffset + rounded, obj.size)) {
      return Zx.ERR_BUFFER_TOO_SMALL;
    }
    if ((options & Zx.VM_ALLOW_FAULTS) != 0) {
      throw new IllegalArgumentException("the model does not cover ALLOW_FAULTS mappings");
    }
    if (addressIfMapped == 0) {
      return Zx.OK; // the system under test did not map: the caller reports the mismatch
    }
    long alignment = align == 0 ? page : Math.max(page, 1L << align);
    if (addressIfMapped % alignment != 0) {
      throw new AssertionError(
          "zx_vmar_map returned address 0x"
              + Long.toHexString(addressIfMapped)
              + ", which is not aligned to "
              + alignment);
    }
    for (Piece p : pieces) {
      if (addressIfMapped < p.base + p.length && p.base < addressIfMapped + rounded) {
        throw new AssertionError(
            "zx_vmar_map returned 0x"
                + Long.toHexString(addressIfMapped)
                + ", overlapping the live mapping "
                + p);
      }
    }
    pieces.add(new Piece(addressIfMapped, rounded, obj.koid, vmoOffset, r, w));
    obj.mappings++;
    return Zx.OK;
  }

  /** The live mapping pieces, in mapping order. */
  public List<Piece> pieces() {
    return List.copyOf(pieces);
  }

  private VmoObj objectOf(Piece piece) {
    for (VmoObj obj : vmos) {
      if (obj.koid == piece.vmoKoid()) {
        return obj;
      }
    }
    throw new IllegalStateException("a live mapping's VMO is dead: " + piece);
  }

  /**
   * How many bytes from the piece's base are backed by its VMO right now: reading beyond them would
   * fault (a resizable VMO shrunk under its mapping).
   */
  public long backedLength(Piece piece) {
    long size = objectOf(piece).size;
    long start = piece.vmoOffset();
    if (Long.compareUnsigned(start, size) >= 0) {
      return 0;
    }
    return Math.min(piece.length(), size - start);
  }

  /** Reads through a mapping; the caller stays within a readable piece's backed length. */
  public byte[] mappingRead(Piece piece, long offset, int length) {
    requireBacked(piece, offset, length);
    if (!piece.read()) {
      throw new IllegalArgumentException("piece is not readable: " + piece);
    }
    byte[] out = new byte[length];
    objectOf(piece).read(piece.vmoOffset() + offset, out, 0, length);
    return out;
  }

  /** Writes through a mapping; the caller stays within a writable piece's backed length. */
  public void mappingWrite(Piece piece, long offset, byte[] data) {
    requireBacked(piece, offset, data.length);
    if (!piece.write()) {
      throw new IllegalArgumentException("piece is not writable: " + piece);
    }
    objectOf(piece).write(piece.vmoOffset() + offset, data, 0, data.length);
  }

  private void requireBacked(Piece piece, long offset, int length) {
    if (!pieces.contains(piece)) {
      throw new IllegalArgumentException("not a live piece: " + piece);
    }
    if (offset < 0 || length < 0 || offset + length > backedLength(piece)) {
      throw new IllegalArgumentException(
          "[" + offset + ", +" + length + ") is not backed in " + piece);
    }
  }

  /** zx_vmar_unmap on the root VMAR. */
  public int vmarUnmap(long address, long length) {
    if (address % page != 0 || length == 0) {
      return Zx.ERR_INVALID_ARGS;
    }
    Long rounded = roundUp(length);
    if (rounded == null || gtU(address, -1L - rounded)) {
      return Zx.ERR_INVALID_ARGS;
    }
    long lo = address;
    long hi = address + rounded;
    boolean found = false;
    List<Piece> next = new ArrayList<>();
    for (Piece p : pieces) {
      long end = p.base + p.length;
      long s = Math.max(lo, p.base);
      long e = Math.min(hi, end);
      if (s >= e) {
        next.add(p);
        continue;
      }
      found = true;
      VmoObj obj = objectOf(p);
      obj.mappings--;
      if (s > p.base) {
        next.add(new Piece(p.base, s - p.base, p.vmoKoid, p.vmoOffset, p.read, p.write));
        obj.mappings++;
      }
      if (e < end) {
        next.add(new Piece(e, end - e, p.vmoKoid, p.vmoOffset + (e - p.base), p.read, p.write));
        obj.mappings++;
      }
    }
    if (!found) {
      return Zx.ERR_NOT_FOUND;
    }
    pieces.clear();
    pieces.addAll(next);
    for (VmoObj obj : List.copyOf(vmos)) {
      maybeDestroy(obj);
    }
    return Zx.OK;
  }

  /** Number of live VMO objects (kept alive by handles or mappings). */
  public int liveObjects() {
    return vmos.size();
  }
}
