package io.github.zircon4j.vmo;

import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_handle_basic;
import io.github.zircon4j.zircon.zx_info_process_handle_stats;
import io.github.zircon4j.zircon.zx_info_vmo;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The one place where hand-written code calls the generated bindings.
 *
 * <p>Callers must have called {@link ZirconLibrary#ensureLoaded()} first: the bindings resolve each
 * symbol once, when its holder class initialises, and a symbol missing at that moment would break
 * that function for the life of the JVM.
 *
 * <p>Every call is an ordinary downcall: none uses {@link Linker.Option#critical(boolean)}, which
 * holds off every safepoint (garbage collections, deoptimisation, thread dumps) of the JVM for the
 * call's duration and so is meant only for calls that are extremely short in all cases. None of
 * these is: each may copy, populate or free many pages ({@code zx_vmo_read}/{@code _write} of any
 * size, {@code zx_vmar_map} with {@code ZX_VM_MAP_RANGE}, a snapshot that copies, the unmap or the
 * close that frees a large VMO), may wait on Fuchsia (a pager-backed VMO), and in the Linux host
 * emulation takes its one lock, which another thread may hold through such a call. An ordinary
 * downcall costs a thread-state transition more (a few nanoseconds; {@code
 * downcall_plain_over_critical} in the benchmarks), small against the syscalls' own cost. Heap
 * memory cannot be passed to an ordinary downcall: {@code zx_vmo_read}/{@code _write} of heap data
 * go through a native buffer (see {@link #vmoRead}).
 */
final class Syscalls {
  static {
    ZirconLibrary.ensureLoaded();
    // Everything a call or its failure needs is loaded now: a process out of file descriptors
    // (ZX_ERR_NO_RESOURCES in the host emulation) could not read a class file then, and would get
    // NoClassDefFoundError instead of the explanation.
    for (MemorySegment symbol :
        new MemorySegment[] {
          Zircon.zx_vmo_get_size$address(), Zircon.zx_vmo_create_child$address(),
          Zircon.zx_vmar_map$address(), Zircon.zx_vmar_unmap$address(),
          Zircon.zx_handle_close$address(), Zircon.zx_vmo_read$address(),
          Zircon.zx_vmo_write$address(), Zircon.zx_vmar_op_range$address(),
          Zircon.zx_vmo_create$address(), Zircon.zx_object_get_info$address(),
          Zircon.zx_vmo_set_size$address(), Zircon.zx_handle_duplicate$address(),
          Zircon.zx_handle_replace$address(), Zircon.zx_object_get_property$address(),
          Zircon.zx_object_set_property$address()
        }) {
      Objects.requireNonNull(symbol);
    }
    HostDescriptors.explain(ZxStatus.ERR_NO_RESOURCES);
    new ZxException(ZxException.Step.CREATE_VMO, ZxStatus.ERR_NO_RESOURCES, "").getMessage();
  }

  /** {@code zx_system_get_page_size()}: constant while the system runs. */
  static final long PAGE_SIZE = Integer.toUnsignedLong(Zircon.zx_system_get_page_size());

  /** {@code zx_vmar_root_self()}: owned by the process runtime, never closed. */
  static final int ROOT_VMAR = Zircon.zx_vmar_root_self();

  // Options of the mapping calls, read once from the bindings (which hold the values). The mapping
  // classes read them only inside methods that already hold an open Vmo (so the library is
  // loaded), never in their own static initialisers: a missing library must keep failing with
  // ZirconLibrary's explanation, not break those classes for the JVM's life.

  /** A snapshot child: copy-on-write, and never writable through its handle. */
  static final int CHILD_SNAPSHOT_NO_WRITE =
      Zircon.ZX_VMO_CHILD_SNAPSHOT() | Zircon.ZX_VMO_CHILD_NO_WRITE();

  /** ImmutableMapping's mapping of a snapshot: read-only, of a child that cannot be resized. */
  static final int VM_SNAPSHOT = Zircon.ZX_VM_PERM_READ() | Zircon.ZX_VM_REQUIRE_NON_RESIZABLE();

  /** Mapping's read-write mapping; the VMO must not be resizable (Rust's flags). */
  static final int VM_READ_WRITE =
      Zircon.ZX_VM_PERM_READ() | Zircon.ZX_VM_PERM_WRITE() | Zircon.ZX_VM_REQUIRE_NON_RESIZABLE();

  /** Map every page now rather than on first touch. */
  static final int VM_MAP_RANGE = Zircon.ZX_VM_MAP_RANGE();

  /** A slice child: a window onto the parent's own pages. */
  static final int CHILD_SLICE = Zircon.ZX_VMO_CHILD_SLICE();

  /** A snapshot child that may be written (its writes are its own). */
  static final int CHILD_SNAPSHOT = Zircon.ZX_VMO_CHILD_SNAPSHOT();

  static final int CHILD_NO_WRITE = Zircon.ZX_VMO_CHILD_NO_WRITE();
  static final int CHILD_RESIZABLE = Zircon.ZX_VMO_CHILD_RESIZABLE();

  /** A read-only mapping of a VMO as it is (a live view); the VMO must not be resizable. */
  static final int VM_READ_ONLY = Zircon.ZX_VM_PERM_READ() | Zircon.ZX_VM_REQUIRE_NON_RESIZABLE();

  static final int VMO_OP_COMMIT = Zircon.ZX_VMO_OP_COMMIT();
  static final int VMO_OP_DECOMMIT = Zircon.ZX_VMO_OP_DECOMMIT();
  static final int VMO_OP_ZERO = Zircon.ZX_VMO_OP_ZERO();

  /** The zx_vm_option_t bits this library passes, by name, for error details. */
  private static final Map<Integer, String> VM_OPTION_NAMES =
      names(
          Zircon.ZX_VM_PERM_READ(), "PERM_READ",
          Zircon.ZX_VM_PERM_WRITE(), "PERM_WRITE",
          Zircon.ZX_VM_PERM_EXECUTE(), "PERM_EXECUTE",
          Zircon.ZX_VM_SPECIFIC(), "SPECIFIC",
          Zircon.ZX_VM_MAP_RANGE(), "MAP_RANGE",
          Zircon.ZX_VM_REQUIRE_NON_RESIZABLE(), "REQUIRE_NON_RESIZABLE",
          Zircon.ZX_VM_ALLOW_FAULTS(), "ALLOW_FAULTS");

  /** The zx_vmo_create_child option bits, by name. */
  private static final Map<Integer, String> CHILD_OPTION_NAMES =
      names(
          Zircon.ZX_VMO_CHILD_SNAPSHOT(), "SNAPSHOT",
          Zircon.ZX_VMO_CHILD_RESIZABLE(), "RESIZABLE",
          Zircon.ZX_VMO_CHILD_SLICE(), "SLICE",
          Zircon.ZX_VMO_CHILD_NO_WRITE(), "NO_WRITE",
          Zircon.ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE(), "SNAPSHOT_AT_LEAST_ON_WRITE");

  private static final int VMAR_OP_MAP_RANGE = Zircon.ZX_VMAR_OP_MAP_RANGE();
  private static final int OBJ_TYPE_VMO = Zircon.ZX_OBJ_TYPE_VMO();

  /** {@code ZX_MAX_NAME_LEN}: an object name's buffer, including its terminating NUL. */
  static final int MAX_NAME_LEN = (int) Zircon.ZX_MAX_NAME_LEN();

  /**
   * The largest native buffer that heap data of {@code zx_vmo_read}/{@code _write} goes through.
   */
  static final long BOUNCE_BYTES = 1 << 20;

  /**
   * Out-parameter memory, one block per thread, so the hot path allocates nothing. Slot 0 holds an
   * 8-byte value (size, address), slot 8 a 4-byte handle. Freed by the GC with its thread.
   */
  private static final ThreadLocal<MemorySegment> OUT =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

  private Syscalls() {}

  /** Page-rounds {@code bytes} up; {@code bytes} must be at most {@code Long.MAX_VALUE - page}. */
  static long roundUpToPage(long bytes) {
    return (bytes + PAGE_SIZE - 1) & -PAGE_SIZE;
  }

  /**
   * Throws for a failed status. The details are only built on failure: formatting them on every
   * successful call would cost more than the syscalls' own Java overhead.
   */
  static void check(int status, ZxException.Step step, Supplier<String> details) {
    if (status != Zircon.ZX_OK()) {
      throw new ZxException(step, status, details.get() + HostDescriptors.explain(status));
    }
  }

  // ---- Calls that return one value through an out-parameter -----------------------------------

  /** {@code zx_vmo_get_size}; the u64 result may be negative as a Java long (>= 2^63). */
  static long vmoGetSize(int vmo) {
    MemorySegment out = OUT.get();
    // Safety: `out` is 8-byte aligned, 16 bytes long and owned by this thread; the kernel
    // writes one u64 at offset 0 and keeps no reference to it after returning.
    int status = Zircon.zx_vmo_get_size(vmo, out);
    check(status, ZxException.Step.GET_VMO_SIZE, () -> "vmo handle " + hex(vmo));
    return out.get(ValueLayout.JAVA_LONG, 0);
  }

  /** {@code zx_vmo_create_child}; returns the child's handle, which the caller owns. */
  static int vmoCreateChild(int vmo, int options, long offset, long size) {
    MemorySegment out = OUT.get();
    // Safety: as in vmoGetSize; the kernel writes one handle (u32) at offset 8.
    int status = Zircon.zx_vmo_create_child(vmo, options, offset, size, out.asSlice(8, 4));
    check(
        status,
        ZxException.Step.CREATE_CHILD_VMO,
        () ->
            "vmo handle "
                + hex(vmo)
                + ", options "
                + childOptionNames(options)
                + ", offset "
                + offset
                + ", size "
                + size);
    return out.get(ValueLayout.JAVA_INT, 8);
  }

  /**
   * {@code zx_vmar_map} into the root VMAR; returns the base address. {@code step} names the call
   * in the exception (MAP_CHILD_VMO for a snapshot, MAP_VMO for a VMO mapped as it is).
   */
  static long vmarMapRoot(
      ZxException.Step step, int options, int vmo, long vmoOffset, long length) {
    MemorySegment out = OUT.get();
    // Safety: as in vmoGetSize; the kernel writes one zx_vaddr_t at offset 0. Mapping does not
    // touch any Java memory: the kernel picks a free address range for the new mapping.
    int status = Zircon.zx_vmar_map(ROOT_VMAR, options, 0L, vmo, vmoOffset, length, out);
    check(
        status,
        step,
        () ->
            "options "
                + vmOptionNames(options)
                + ", vmo offset "
                + vmoOffset
                + ", length "
                + length);
    return out.get(ValueLayout.JAVA_LONG, 0);
  }

  // ---- Calls that only return a status -------------------------------------------------------

  /**
   * {@code zx_vmar_unmap} of a mapping this library made. Safety: the caller guarantees that no
   * Java code can reach the range any more (its arena is closing) and that it is exactly one
   * mapping made by {@link #vmarMapRoot}, so no other memory is affected.
   */
  static int vmarUnmapRoot(long address, long length) {
    return Zircon.zx_vmar_unmap(ROOT_VMAR, address, length);
  }

  /** {@code zx_handle_close}; returns the status (closing is best effort on cleanup paths). */
  static int handleClose(int handle) {
    return Zircon.zx_handle_close(handle);
  }

  /**
   * {@code zx_vmo_read} into {@code into} (heap or native). Safety: {@code into} is alive for the
   * call (the caller holds it) and exactly {@code into.byteSize()} bytes are written to it.
   *
   * <p>Native memory is passed as is. Heap memory goes through a native buffer of at most {@link
   * #BOUNCE_BYTES}, one piece at a time from the end of the range down: the first call covers the
   * range's end, so it makes every check zircon makes (handle, rights, the end within the VMO) in
   * zircon's order, and when it fails nothing has been read or written. Only a racing shrink or
   * close can fail a later piece; the pieces read so far are then in {@code into} (zircon does not
   * read a range atomically either).
   */
  static int vmoRead(int vmo, MemorySegment into, long offset) {
    if (into.isNative()) {
      return Zircon.zx_vmo_read(vmo, into, offset, into.byteSize());
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(Math.min(into.byteSize(), BOUNCE_BYTES));
      long end = into.byteSize();
      do {
        long piece = Math.min(end, buffer.byteSize());
        long at = end - piece;
        // Safety: `buffer` is native, ours, alive until the arena closes, and at least `piece`
        // bytes long; the kernel writes exactly `piece` bytes to it and keeps no reference.
        int status = Zircon.zx_vmo_read(vmo, buffer, offset + at, piece);
        if (status != Zircon.ZX_OK()) {
          return status;
        }
        MemorySegment.copy(buffer, 0, into, at, piece);
        end = at;
      } while (end > 0);
      return Zircon.ZX_OK();
    }
  }

  /**
   * {@code zx_vmo_write} from {@code data} (heap or native); only reads {@code data}. Heap data
   * goes through a native buffer as in {@link #vmoRead}, the range's end first: when the first call
   * fails, nothing has been written.
   */
  static int vmoWrite(int vmo, MemorySegment data, long offset) {
    if (data.isNative()) {
      return Zircon.zx_vmo_write(vmo, data, offset, data.byteSize());
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(Math.min(data.byteSize(), BOUNCE_BYTES));
      long end = data.byteSize();
      do {
        long piece = Math.min(end, buffer.byteSize());
        long at = end - piece;
        MemorySegment.copy(data, at, buffer, 0, piece);
        // Safety: `buffer` is native, ours, alive until the arena closes and holds `piece`
        // bytes, which is all the kernel reads; it keeps no reference.
        int status = Zircon.zx_vmo_write(vmo, buffer, offset + at, piece);
        if (status != Zircon.ZX_OK()) {
          return status;
        }
        end = at;
      } while (end > 0);
      return Zircon.ZX_OK();
    }
  }

  /**
   * {@code zx_vmar_op_range(ZX_VMAR_OP_MAP_RANGE)} over {@code [address, address + length)}, which
   * must be page-aligned and inside one mapping this library made. Safety: MAP_RANGE only fills
   * page tables with pages the VMO already has; it never changes memory, so even if a racing close
   * unmapped the range first, nothing is written anywhere (zircon answers NOT_FOUND for an unmapped
   * range, and only populates a mapping that took its place).
   */
  static int vmarPrefetchRoot(long address, long length) {
    return Zircon.zx_vmar_op_range(
        ROOT_VMAR, VMAR_OP_MAP_RANGE, address, length, MemorySegment.NULL, 0L);
  }

  // ---- Handle and VMO calls off the mapping path (plain downcalls, a confined arena each) -----

  /** {@code zx_vmo_create}; returns the new handle, which the caller owns. */
  static int vmoCreate(long size, int options) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      // Safety: `out` is a 4-byte native segment alive for the call; the kernel writes the new
      // handle there and keeps no reference.
      int status = Zircon.zx_vmo_create(size, options, out);
      check(
          status,
          ZxException.Step.CREATE_VMO,
          () -> "size " + size + ", options " + VmoOption.names(options));
      return out.get(ValueLayout.JAVA_INT, 0);
    }
  }

  /**
   * Checks with {@code ZX_INFO_HANDLE_BASIC} that {@code handle} is a live VMO handle and returns
   * its rights; {@code step} names the caller's operation in the exception.
   */
  static int vmoHandleRights(int handle, ZxException.Step step) {
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
      check(status, step, () -> "handle " + hex(handle));
      int type = zx_info_handle_basic.type(info);
      if (type != OBJ_TYPE_VMO) {
        throw new ZxException(
            step,
            ZxStatus.ERR_WRONG_TYPE,
            "handle " + hex(handle) + " is of object type " + type + ", not a VMO");
      }
      return zx_info_handle_basic.rights(info);
    }
  }

  /** {@code zx_vmo_set_size}. */
  static void vmoSetSize(int vmo, long size) {
    check(
        Zircon.zx_vmo_set_size(vmo, size),
        ZxException.Step.SET_VMO_SIZE,
        () -> "vmo handle " + hex(vmo) + ", size " + size);
  }

  /** {@code zx_handle_duplicate}; returns the new handle, which the caller owns. */
  static int handleDuplicate(int handle, int rights) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      // Safety: `out` is a 4-byte native segment alive for the call.
      int status = Zircon.zx_handle_duplicate(handle, rights, out);
      check(status, ZxException.Step.DUPLICATE_HANDLE, () -> rightsDetails(handle, rights));
      return out.get(ValueLayout.JAVA_INT, 0);
    }
  }

  /**
   * {@code zx_handle_replace}; returns the new handle, which the caller owns. {@code handle} is
   * invalid afterwards whatever the outcome (zircon's rule).
   */
  static int handleReplace(int handle, int rights) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      // Safety: `out` is a 4-byte native segment alive for the call.
      int status = Zircon.zx_handle_replace(handle, rights, out);
      check(status, ZxException.Step.REPLACE_HANDLE, () -> rightsDetails(handle, rights));
      return out.get(ValueLayout.JAVA_INT, 0);
    }
  }

  private static String rightsDetails(int handle, int rights) {
    return "vmo handle "
        + hex(handle)
        + ", rights "
        + (rights == ZxRights.SAME_RIGHTS_BITS ? "SAME_RIGHTS" : ZxRights.fromBits(rights));
  }

  /**
   * {@code zx_vmo_op_range} with {@code op} (COMMIT, DECOMMIT or ZERO), which take no buffer.
   * Safety: these ops read and write no memory of this process outside the VMO's own pages; a
   * mapping of a decommitted or zeroed range reads zeros afterwards, which is the point.
   */
  static void vmoOpRange(int vmo, int op, long offset, long size, ZxException.Step step) {
    check(
        Zircon.zx_vmo_op_range(vmo, op, offset, size, MemorySegment.NULL, 0L),
        step,
        () -> "vmo handle " + hex(vmo) + ", offset " + offset + ", size " + size);
  }

  /** {@code zx_object_get_property(ZX_PROP_VMO_CONTENT_SIZE)}. */
  static long vmoContentSize(int vmo) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
      // Safety: `value` is an 8-byte native buffer alive for the call, and its size is passed.
      int status =
          Zircon.zx_object_get_property(
              vmo, Zircon.ZX_PROP_VMO_CONTENT_SIZE(), value, value.byteSize());
      check(status, ZxException.Step.GET_CONTENT_SIZE, () -> "vmo handle " + hex(vmo));
      return value.get(ValueLayout.JAVA_LONG, 0);
    }
  }

  /** {@code zx_object_set_property(ZX_PROP_VMO_CONTENT_SIZE)}. */
  static void setVmoContentSize(int vmo, long size) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocateFrom(ValueLayout.JAVA_LONG, size);
      // Safety: `value` is an 8-byte native buffer alive for the call; the kernel only reads it.
      int status =
          Zircon.zx_object_set_property(
              vmo, Zircon.ZX_PROP_VMO_CONTENT_SIZE(), value, value.byteSize());
      check(
          status,
          ZxException.Step.SET_CONTENT_SIZE,
          () -> "vmo handle " + hex(vmo) + ", content size " + Long.toUnsignedString(size));
    }
  }

  /** {@code zx_object_get_info(ZX_INFO_VMO)}, decoded. */
  static VmoInfo vmoInfo(int vmo) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = zx_info_vmo.allocate(arena);
      // Safety: `info` is a native zx_info_vmo_t alive for the call and its size is passed, so
      // the kernel writes at most that many bytes; actual/avail are optional (NULL).
      int status =
          Zircon.zx_object_get_info(
              vmo,
              Zircon.ZX_INFO_VMO(),
              info,
              info.byteSize(),
              MemorySegment.NULL,
              MemorySegment.NULL);
      check(status, ZxException.Step.GET_VMO_INFO, () -> "vmo handle " + hex(vmo));
      return new VmoInfo(
          zx_info_vmo.koid(info),
          cString(zx_info_vmo.name(info)),
          zx_info_vmo.size_bytes(info),
          zx_info_vmo.parent_koid(info),
          zx_info_vmo.num_children(info),
          zx_info_vmo.num_mappings(info),
          zx_info_vmo.share_count(info),
          zx_info_vmo.flags(info),
          zx_info_vmo.committed_bytes(info),
          ZxRights.fromBits(zx_info_vmo.handle_rights(info)),
          zx_info_vmo.cache_policy(info));
    }
  }

  /** {@code zx_object_get_property(ZX_PROP_NAME)}: the object's name, empty if it has none. */
  static String objectName(int handle) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment name = arena.allocate(MAX_NAME_LEN);
      // Safety: `name` is a native buffer of ZX_MAX_NAME_LEN bytes alive for the call, and that
      // size is passed: the kernel writes at most that many bytes, NUL-terminated.
      int status =
          Zircon.zx_object_get_property(handle, Zircon.ZX_PROP_NAME(), name, name.byteSize());
      check(status, ZxException.Step.GET_VMO_NAME, () -> "vmo handle " + hex(handle));
      return cString(name);
    }
  }

  /**
   * {@code zx_object_set_property(ZX_PROP_NAME)} with {@code name}, at most {@code MAX_NAME_LEN -
   * 1} bytes without NUL (the caller checked).
   */
  static void setObjectName(int handle, byte[] name) {
    try (Arena arena = Arena.ofConfined()) {
      // One byte more than the name, so that even an empty name is a non-NULL buffer.
      MemorySegment value = arena.allocate(name.length + 1L);
      MemorySegment.copy(name, 0, value, ValueLayout.JAVA_BYTE, 0, name.length);
      // Safety: `value` is a native buffer alive for the call; the kernel reads the `name.length`
      // bytes passed as the size and keeps no reference.
      int status = Zircon.zx_object_set_property(handle, Zircon.ZX_PROP_NAME(), value, name.length);
      check(
          status,
          ZxException.Step.SET_VMO_NAME,
          () -> "vmo handle " + hex(handle) + ", name of " + name.length + " bytes");
    }
  }

  /**
   * {@code zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS)}: the process's open
   * handles by object type (index: {@code zx_obj_type_t}).
   */
  static int[] processHandleCounts() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment stats = zx_info_process_handle_stats.allocate(arena);
      // Safety: `stats` is a native zx_info_process_handle_stats_t alive for the call and its size
      // is passed, so the kernel writes at most that many bytes; actual/avail are optional (NULL).
      // zx_process_self() is owned by the runtime and never closed.
      int status =
          Zircon.zx_object_get_info(
              Zircon.zx_process_self(),
              Zircon.ZX_INFO_PROCESS_HANDLE_STATS(),
              stats,
              stats.byteSize(),
              MemorySegment.NULL,
              MemorySegment.NULL);
      check(status, ZxException.Step.GET_PROCESS_HANDLE_STATS, () -> "");
      return zx_info_process_handle_stats.handle_count(stats).toArray(ValueLayout.JAVA_INT);
    }
  }

  /** The UTF-8 text of a NUL-terminated (or full) {@code char[]} field. */
  private static String cString(MemorySegment chars) {
    long length = 0;
    while (length < chars.byteSize() && chars.get(ValueLayout.JAVA_BYTE, length) != 0) {
      length++;
    }
    return new String(
        chars.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
  }

  /** {@code "PERM_READ|MAP_RANGE"} for zx_vm_option_t bits; unknown bits in hexadecimal. */
  static String vmOptionNames(int options) {
    return bitNames(options, VM_OPTION_NAMES);
  }

  /** {@code "SNAPSHOT|NO_WRITE"} for zx_vmo_create_child option bits. */
  static String childOptionNames(int options) {
    return bitNames(options, CHILD_OPTION_NAMES);
  }

  private static Map<Integer, String> names(Object... bitsAndNames) {
    Map<Integer, String> names = new LinkedHashMap<>();
    for (int i = 0; i < bitsAndNames.length; i += 2) {
      names.put((Integer) bitsAndNames[i], (String) bitsAndNames[i + 1]);
    }
    return names;
  }

  private static String bitNames(int bits, Map<Integer, String> names) {
    StringBuilder text = new StringBuilder();
    int left = bits;
    for (Map.Entry<Integer, String> name : names.entrySet()) {
      if ((bits & name.getKey()) == name.getKey()) {
        text.append(text.isEmpty() ? "" : "|").append(name.getValue());
        left &= ~name.getKey();
      }
    }
    if (left != 0) {
      text.append(text.isEmpty() ? "" : "|").append(hex(left));
    }
    return text.isEmpty() ? "NONE" : text.toString();
  }

  static String hex(long value) {
    return "0x" + Long.toHexString(value);
  }

  static String hex(int value) {
    return "0x" + Integer.toHexString(value);
  }
}
