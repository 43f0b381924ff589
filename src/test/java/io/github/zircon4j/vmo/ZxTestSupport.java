package io.github.zircon4j.vmo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.zircon4j.zircon.Zircon;
import io.github.zircon4j.zircon.zx_info_handle_basic;
import io.github.zircon4j.zircon.zx_info_vmo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shared helpers for the {@code Zircon*ConformanceTest} classes. Everything here goes through the
 * generated bindings ({@link Zircon}) and nothing else, so the conformance tests depend only on the
 * zircon contract and would run unchanged against the real vDSO.
 *
 * <p>Why not {@link Syscalls}, the library's own layer over the same bindings: it exists to turn
 * every failure into a {@link ZxException} and it binds only the calls the API needs, with the
 * options the API uses. These tests pin what {@code Syscalls} hides: the raw status of each call
 * (including the ones that should fail, in zircon's check order), out-parameters left untouched on
 * failure, and calls and options the API never makes. Going through {@code Syscalls} would also let
 * a bug in it hide a conformance failure. What the two share is the bindings themselves.
 */
final class ZxTestSupport {
  private ZxTestSupport() {}

  private static final Map<Integer, String> STATUS_NAMES = statusNames();

  // ---- Constants and small conversions ------------------------------------------------------

  /** The system page size, as zircon reports it. */
  static long pageSize() {
    return Integer.toUnsignedLong(Zircon.zx_system_get_page_size());
  }

  /** {@code n} rounded up to a whole number of pages. */
  static long roundUpToPage(long n) {
    long page = pageSize();
    return (n + page - 1) / page * page;
  }

  static int root() {
    return Zircon.zx_vmar_root_self();
  }

  /** "ZX_ERR_BAD_HANDLE (-11)" for a status value, for readable failure messages. */
  static String statusName(int status) {
    return STATUS_NAMES.getOrDefault(status, "unknown status") + " (" + status + ")";
  }

  private static Map<Integer, String> statusNames() {
    Map<Integer, String> names = new HashMap<>();
    for (Method m : Zircon.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())
          && m.getParameterCount() == 0
          && m.getReturnType() == int.class
          && (m.getName().equals("ZX_OK") || m.getName().startsWith("ZX_ERR_"))) {
        try {
          names.put((Integer) m.invoke(null), m.getName());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return names;
  }

  /** Asserts a status, naming both values on failure. */
  static void assertStatus(int actual, int expected, String what) {
    assertThat(actual)
        .withFailMessage(
            "%s: expected %s but got %s", what, statusName(expected), statusName(actual))
        .isEqualTo(expected);
  }

  static void assertOk(int actual, String what) {
    assertStatus(actual, Zircon.ZX_OK(), what);
  }

  static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  static byte[] pattern(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seed + i * 31 + (i >>> 8));
    }
    if (length > 0 && bytes[0] == 0) {
      bytes[0] = 1;
    }
    return bytes;
  }

  static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    java.util.Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  // ---- Raw calls with out-params (status and value together) --------------------------------

  /** A status plus the handle an out-param received (meaningful only when status is ZX_OK). */
  record HandleResult(int status, int handle) {}

  record WaitResult(int status, int observed) {}

  record MapResult(int status, long address) {}

  static HandleResult rawCreateVmo(long size, int options) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      int status = Zircon.zx_vmo_create(size, options, out);
      return new HandleResult(status, out.get(ValueLayout.JAVA_INT, 0));
    }
  }

  static HandleResult rawCreateChild(int parent, int options, long offset, long size) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      int status = Zircon.zx_vmo_create_child(parent, options, offset, size, out);
      return new HandleResult(status, out.get(ValueLayout.JAVA_INT, 0));
    }
  }

  static HandleResult rawDuplicate(int handle, int rights) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      int status = Zircon.zx_handle_duplicate(handle, rights, out);
      return new HandleResult(status, out.get(ValueLayout.JAVA_INT, 0));
    }
  }

  static HandleResult rawReplace(int handle, int rights) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
      int status = Zircon.zx_handle_replace(handle, rights, out);
      return new HandleResult(status, out.get(ValueLayout.JAVA_INT, 0));
    }
  }

  static MapResult rawMap(int vmar, int options, long vmarOffset, int vmo, long offset, long len) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
      int status = Zircon.zx_vmar_map(vmar, options, vmarOffset, vmo, offset, len, out);
      return new MapResult(status, out.get(ValueLayout.JAVA_LONG, 0));
    }
  }

  /** zx_object_wait_one with an observed out-param. */
  static WaitResult waitOne(int handle, int signals, long deadline) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment observed = arena.allocate(ValueLayout.JAVA_INT);
      observed.set(ValueLayout.JAVA_INT, 0, 0xDEADBEEF);
      int status = Zircon.zx_object_wait_one(handle, signals, deadline, observed);
      return new WaitResult(status, observed.get(ValueLayout.JAVA_INT, 0));
    }
  }

  /** Polls (deadline ZX_TIME_INFINITE_PAST). */
  static WaitResult poll(int handle, int signals) {
    return waitOne(handle, signals, Zircon.ZX_TIME_INFINITE_PAST());
  }

  /** Whether ZX_VMO_ZERO_CHILDREN is asserted right now (asserts the poll itself worked). */
  static boolean hasZeroChildren(int vmo) {
    WaitResult r = poll(vmo, Zircon.ZX_VMO_ZERO_CHILDREN());
    assertThat(r.status())
        .withFailMessage("polling ZERO_CHILDREN returned %s", statusName(r.status()))
        .isIn(Zircon.ZX_OK(), Zircon.ZX_ERR_TIMED_OUT());
    boolean asserted = r.status() == Zircon.ZX_OK();
    assertThat((r.observed() & Zircon.ZX_VMO_ZERO_CHILDREN()) != 0)
        .as("observed %s agrees with status %s", hex(r.observed()), statusName(r.status()))
        .isEqualTo(asserted);
    return asserted;
  }

  // ---- Checked calls ------------------------------------------------------------------------

  static long vmoSize(int vmo) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
      assertOk(Zircon.zx_vmo_get_size(vmo, out), "zx_vmo_get_size");
      return out.get(ValueLayout.JAVA_LONG, 0);
    }
  }

  static byte[] read(int vmo, long offset, int length) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(Math.max(1, length));
      assertOk(Zircon.zx_vmo_read(vmo, buffer, offset, length), "zx_vmo_read");
      return buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
    }
  }

  static int readStatus(int vmo, long offset, long length) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(Math.max(1, Math.min(length, 1 << 16)));
      return Zircon.zx_vmo_read(vmo, buffer, offset, length);
    }
  }

  static void write(int vmo, long offset, byte[] data) {
    assertOk(writeStatus(vmo, offset, data), "zx_vmo_write");
  }

  static int writeStatus(int vmo, long offset, byte[] data) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(Math.max(1, data.length));
      MemorySegment.copy(data, 0, buffer, ValueLayout.JAVA_BYTE, 0, data.length);
      return Zircon.zx_vmo_write(vmo, buffer, offset, data.length);
    }
  }

  /** zx_vmo_op_range with no buffer (only the ops this project uses, none of which reads it). */
  static int opRange(int vmo, int op, long offset, long size) {
    return Zircon.zx_vmo_op_range(vmo, op, offset, size, MemorySegment.NULL, 0);
  }

  /** ZX_INFO_HANDLE_BASIC, decoded. */
  record HandleBasic(long koid, int rights, int type, long relatedKoid, int props) {}

  /** ZX_INFO_HANDLE_BASIC and its status; {@code info} is only meaningful when the status is OK. */
  record HandleBasicResult(int status, HandleBasic info) {}

  static HandleBasicResult rawHandleBasic(int handle) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = zx_info_handle_basic.allocate(arena);
      int status =
          Zircon.zx_object_get_info(
              handle,
              Zircon.ZX_INFO_HANDLE_BASIC(),
              info,
              zx_info_handle_basic.sizeof(),
              MemorySegment.NULL,
              MemorySegment.NULL);
      return new HandleBasicResult(
          status,
          new HandleBasic(
              zx_info_handle_basic.koid(info),
              zx_info_handle_basic.rights(info),
              zx_info_handle_basic.type(info),
              zx_info_handle_basic.related_koid(info),
              zx_info_handle_basic.props(info)));
    }
  }

  static HandleBasic handleBasic(int handle) {
    HandleBasicResult result = rawHandleBasic(handle);
    assertOk(result.status(), "zx_object_get_info(ZX_INFO_HANDLE_BASIC)");
    return result.info();
  }

  static int rightsOf(int handle) {
    return handleBasic(handle).rights();
  }

  static long koidOf(int handle) {
    return handleBasic(handle).koid();
  }

  /** ZX_INFO_VMO (the current topic and record), decoded. */
  record VmoInfo(
      long koid,
      String name,
      long sizeBytes,
      long parentKoid,
      long numChildren,
      long numMappings,
      long shareCount,
      int flags,
      long committedBytes,
      int handleRights,
      int cachePolicy,
      long metadataBytes,
      long committedChangeEvents) {}

  static VmoInfo vmoInfo(int vmo) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = zx_info_vmo.allocate(arena);
      int status =
          Zircon.zx_object_get_info(
              vmo,
              Zircon.ZX_INFO_VMO(),
              info,
              zx_info_vmo.sizeof(),
              MemorySegment.NULL,
              MemorySegment.NULL);
      assertOk(status, "zx_object_get_info(ZX_INFO_VMO)");
      return new VmoInfo(
          zx_info_vmo.koid(info),
          zx_info_vmo.name(info).getString(0, StandardCharsets.UTF_8),
          zx_info_vmo.size_bytes(info),
          zx_info_vmo.parent_koid(info),
          zx_info_vmo.num_children(info),
          zx_info_vmo.num_mappings(info),
          zx_info_vmo.share_count(info),
          zx_info_vmo.flags(info),
          zx_info_vmo.committed_bytes(info),
          zx_info_vmo.handle_rights(info),
          zx_info_vmo.cache_policy(info),
          zx_info_vmo.metadata_bytes(info),
          zx_info_vmo.committed_change_events(info));
    }
  }

  // ---- Properties ---------------------------------------------------------------------------

  /** A status plus the ZX_PROP_NAME read (meaningful only when status is ZX_OK). */
  record NameResult(int status, String name, byte[] raw) {}

  /** zx_object_get_property(ZX_PROP_NAME) into a buffer of {@code bufferSize} bytes. */
  static NameResult rawGetName(int handle, long bufferSize) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(Math.max(1, bufferSize));
      buffer.fill((byte) 'x');
      int status = Zircon.zx_object_get_property(handle, Zircon.ZX_PROP_NAME(), buffer, bufferSize);
      byte[] raw = buffer.toArray(ValueLayout.JAVA_BYTE);
      String name = "";
      if (status == Zircon.ZX_OK()) {
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
          end++;
        }
        name = new String(raw, 0, end, StandardCharsets.UTF_8);
      }
      return new NameResult(status, name, raw);
    }
  }

  static String nameOf(int handle) {
    NameResult r = rawGetName(handle, Zircon.ZX_MAX_NAME_LEN());
    assertOk(r.status(), "zx_object_get_property(ZX_PROP_NAME)");
    return r.name();
  }

  /** zx_object_set_property(ZX_PROP_NAME) with the bytes of {@code name} (no NUL appended). */
  static int setNameStatus(int handle, byte[] name) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(Math.max(1, name.length));
      MemorySegment.copy(name, 0, buffer, ValueLayout.JAVA_BYTE, 0, name.length);
      return Zircon.zx_object_set_property(handle, Zircon.ZX_PROP_NAME(), buffer, name.length);
    }
  }

  static void setName(int handle, String name) {
    assertOk(
        setNameStatus(handle, name.getBytes(StandardCharsets.UTF_8)),
        "zx_object_set_property(ZX_PROP_NAME)");
  }

  static long contentSizeOf(int vmo) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
      assertOk(
          Zircon.zx_object_get_property(
              vmo, Zircon.ZX_PROP_VMO_CONTENT_SIZE(), value, value.byteSize()),
          "zx_object_get_property(ZX_PROP_VMO_CONTENT_SIZE)");
      return value.get(ValueLayout.JAVA_LONG, 0);
    }
  }

  static int setContentSizeStatus(int vmo, long contentSize) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
      value.set(ValueLayout.JAVA_LONG, 0, contentSize);
      return Zircon.zx_object_set_property(
          vmo, Zircon.ZX_PROP_VMO_CONTENT_SIZE(), value, value.byteSize());
    }
  }

  // ---- Memory reached through a mapping -----------------------------------------------------

  /** One line of /proc/self/maps. */
  record ProcMapping(long start, long end, String perms) {}

  static final Path PROC_MAPS = Path.of("/proc/self/maps");

  static boolean hasProcMaps() {
    return Files.isReadable(PROC_MAPS);
  }

  static List<ProcMapping> procMaps() {
    try {
      List<ProcMapping> result = new ArrayList<>();
      for (String line : Files.readAllLines(PROC_MAPS)) {
        String[] fields = line.trim().split("\\s+");
        String[] range = fields[0].split("-");
        result.add(
            new ProcMapping(
                Long.parseUnsignedLong(range[0], 16),
                Long.parseUnsignedLong(range[1], 16),
                fields[1]));
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The /proc/self/maps entry covering {@code address}, if any. */
  static Optional<ProcMapping> procMappingAt(long address) {
    for (ProcMapping m : procMaps()) {
      if (Long.compareUnsigned(m.start(), address) <= 0
          && Long.compareUnsigned(address, m.end()) < 0) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** Whether a readable host mapping covers the page at {@code address} (Linux only). */
  static boolean pageReadableInProcMaps(long address) {
    return procMappingAt(address).map(m -> m.perms().startsWith("r")).orElse(false);
  }

  /**
   * Fails (instead of crashing the JVM) if, on a host with /proc/self/maps, some page of [address,
   * address+length) is not backed by a readable mapping. Does nothing where /proc is absent.
   */
  static void assertReadableBeforeTouching(long address, long length) {
    if (!hasProcMaps()) {
      return;
    }
    long page = pageSize();
    for (long p = address / page * page; Long.compareUnsigned(p, address + length) < 0; p += page) {
      assertThat(pageReadableInProcMaps(p))
          .as("page %s should be readable per /proc/self/maps before the test touches it", hex(p))
          .isTrue();
    }
  }

  static void assertWritableBeforeTouching(long address, long length) {
    if (!hasProcMaps()) {
      return;
    }
    long page = pageSize();
    for (long p = address / page * page; Long.compareUnsigned(p, address + length) < 0; p += page) {
      Optional<ProcMapping> m = procMappingAt(p);
      assertThat(m.map(x -> x.perms().startsWith("rw")).orElse(false))
          .as("page %s should be writable per /proc/self/maps (%s)", hex(p), m)
          .isTrue();
    }
  }

  /** Reads mapped memory, after checking (where possible) that it is mapped. */
  static byte[] readMapped(long address, long length) {
    assertReadableBeforeTouching(address, length);
    return MemorySegment.ofAddress(address).reinterpret(length).toArray(ValueLayout.JAVA_BYTE);
  }

  static void writeMapped(long address, byte[] data) {
    assertWritableBeforeTouching(address, data.length);
    MemorySegment.copy(
        data,
        0,
        MemorySegment.ofAddress(address).reinterpret(data.length),
        ValueLayout.JAVA_BYTE,
        0,
        data.length);
  }

  // ---- Resource tracking --------------------------------------------------------------------

  /**
   * Owns the handles and mappings a test creates and releases them, newest first, when closed, so a
   * failing assertion never leaks them. Thread-safe. Cleanup statuses are ignored on purpose: tests
   * that care about close/unmap results check them explicitly.
   */
  static final class Resources implements AutoCloseable {
    private final List<Integer> handles = new ArrayList<>();
    private final List<long[]> mappings = new ArrayList<>(); // {address, length}
    private final List<Integer> regions = new ArrayList<>(); // VMARs to destroy first

    /** Tracks a sub-VMAR handle: it is destroyed (then closed) when the resources close. */
    synchronized int ownRegion(int handle) {
      regions.add(handle);
      return own(handle);
    }

    /** Tracks {@code handle} (ignores ZX_HANDLE_INVALID) and returns it. */
    synchronized int own(int handle) {
      if (handle != Zircon.ZX_HANDLE_INVALID()) {
        handles.add(handle);
      }
      return handle;
    }

    /** Stops tracking {@code handle} (it was closed or replaced by the test). */
    synchronized void forget(int handle) {
      handles.remove(Integer.valueOf(handle));
    }

    /** Closes a tracked handle now and returns the status. */
    int close(int handle) {
      forget(handle);
      return Zircon.zx_handle_close(handle);
    }

    void closeOk(int handle) {
      assertOk(close(handle), "zx_handle_close");
    }

    int vmo(long size) {
      return vmo(size, 0);
    }

    int vmo(long size, int options) {
      HandleResult r = rawCreateVmo(size, options);
      assertOk(r.status(), "zx_vmo_create(" + size + ", " + hex(options) + ")");
      return own(r.handle());
    }

    /** A VMO of {@code size} whose first bytes are {@code contents}. */
    int vmoWith(long size, byte[] contents) {
      int vmo = vmo(size);
      write(vmo, 0, contents);
      return vmo;
    }

    /** zx_vmo_create_child; an unexpectedly created child is still tracked. */
    HandleResult tryChild(int parent, int options, long offset, long size) {
      HandleResult r = rawCreateChild(parent, options, offset, size);
      if (r.status() == Zircon.ZX_OK()) {
        own(r.handle());
      }
      return r;
    }

    int child(int parent, int options, long offset, long size) {
      HandleResult r = tryChild(parent, options, offset, size);
      assertOk(r.status(), "zx_vmo_create_child(" + hex(options) + ")");
      return r.handle();
    }

    HandleResult tryDuplicate(int handle, int rights) {
      HandleResult r = rawDuplicate(handle, rights);
      if (r.status() == Zircon.ZX_OK()) {
        own(r.handle());
      }
      return r;
    }

    int duplicate(int handle, int rights) {
      HandleResult r = tryDuplicate(handle, rights);
      assertOk(r.status(), "zx_handle_duplicate(" + hex(rights) + ")");
      return r.handle();
    }

    /** zx_handle_replace: the original is forgotten whatever the outcome. */
    HandleResult tryReplace(int handle, int rights) {
      forget(handle);
      HandleResult r = rawReplace(handle, rights);
      if (r.status() == Zircon.ZX_OK()) {
        own(r.handle());
      }
      return r;
    }

    /** zx_vmar_map into the root VMAR; an unexpectedly created mapping is still tracked. */
    MapResult tryMap(int options, long vmarOffset, int vmo, long offset, long len) {
      MapResult r = rawMap(root(), options, vmarOffset, vmo, offset, len);
      if (r.status() == Zircon.ZX_OK() && r.address() != 0) {
        trackMapping(r.address(), roundUpToPage(len));
      }
      return r;
    }

    long map(int options, int vmo, long offset, long len) {
      MapResult r = tryMap(options, 0, vmo, offset, len);
      assertOk(r.status(), "zx_vmar_map(" + hex(options) + ")");
      return r.address();
    }

    synchronized void trackMapping(long address, long length) {
      mappings.add(new long[] {address, length});
    }

    /** zx_vmar_unmap on the root VMAR; on success the range stops being tracked. */
    int unmap(long address, long length) {
      int status = Zircon.zx_vmar_unmap(root(), address, length);
      if (status == Zircon.ZX_OK()) {
        untrack(address, roundUpToPage(length));
      }
      return status;
    }

    void unmapOk(long address, long length) {
      assertOk(unmap(address, length), "zx_vmar_unmap");
    }

    private synchronized void untrack(long start, long length) {
      long end = start + length;
      List<long[]> kept = new ArrayList<>();
      for (long[] m : mappings) {
        long mStart = m[0];
        long mEnd = m[0] + m[1];
        if (mEnd <= start || mStart >= end) {
          kept.add(m);
          continue;
        }
        if (mStart < start) {
          kept.add(new long[] {mStart, start - mStart});
        }
        if (mEnd > end) {
          kept.add(new long[] {end, mEnd - end});
        }
      }
      mappings.clear();
      mappings.addAll(kept);
    }

    @Override
    public synchronized void close() {
      for (int i = regions.size() - 1; i >= 0; i--) {
        Zircon.zx_vmar_destroy(regions.get(i));
      }
      regions.clear();
      for (int i = mappings.size() - 1; i >= 0; i--) {
        long[] m = mappings.get(i);
        Zircon.zx_vmar_unmap(root(), m[0], m[1]);
      }
      mappings.clear();
      for (int i = handles.size() - 1; i >= 0; i--) {
        Zircon.zx_handle_close(handles.get(i));
      }
      handles.clear();
    }
  }
}
