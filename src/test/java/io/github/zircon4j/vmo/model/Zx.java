package io.github.zircon4j.vmo.model;

/**
 * The zircon constants the reference model speaks, written out from zircon's headers and syscall
 * docs so that the model depends on nothing generated: a wrong value here shows up as a mismatch
 * between the model and the emulation in {@code VmoModelStatefulTest}.
 */
public final class Zx {
  private Zx() {}

  // Status codes.
  public static final int OK = 0;
  public static final int ERR_NOT_SUPPORTED = -2;
  public static final int ERR_INVALID_ARGS = -10;
  public static final int ERR_BAD_HANDLE = -11;
  public static final int ERR_WRONG_TYPE = -12;
  public static final int ERR_OUT_OF_RANGE = -14;
  public static final int ERR_BUFFER_TOO_SMALL = -15;
  public static final int ERR_TIMED_OUT = -21;
  public static final int ERR_NOT_FOUND = -25;
  public static final int ERR_UNAVAILABLE = -28;
  public static final int ERR_ACCESS_DENIED = -30;

  // Rights.
  public static final int RIGHT_DUPLICATE = 1;
  public static final int RIGHT_TRANSFER = 1 << 1;
  public static final int RIGHT_READ = 1 << 2;
  public static final int RIGHT_WRITE = 1 << 3;
  public static final int RIGHT_EXECUTE = 1 << 4;
  public static final int RIGHT_MAP = 1 << 5;
  public static final int RIGHT_GET_PROPERTY = 1 << 6;
  public static final int RIGHT_SET_PROPERTY = 1 << 7;
  public static final int RIGHT_SIGNAL = 1 << 12;
  public static final int RIGHT_WAIT = 1 << 14;
  public static final int RIGHT_INSPECT = 1 << 15;
  public static final int RIGHT_RESIZE = 1 << 22;
  public static final int RIGHT_SAME_RIGHTS = 1 << 31;
  public static final int DEFAULT_VMO_RIGHTS = 0xD0EF;

  // Signals.
  public static final int VMO_ZERO_CHILDREN = 1 << 3;

  // zx_vmo_create options.
  public static final int VMO_RESIZABLE = 1 << 1;

  // zx_vmo_create_child options.
  public static final int CHILD_SNAPSHOT = 1;
  public static final int CHILD_RESIZABLE = 1 << 2;
  public static final int CHILD_SLICE = 1 << 3;
  public static final int CHILD_SNAPSHOT_AT_LEAST_ON_WRITE = 1 << 4;
  public static final int CHILD_NO_WRITE = 1 << 5;

  // zx_vmar_map options.
  public static final int VM_PERM_READ = 1;
  public static final int VM_PERM_WRITE = 1 << 1;
  public static final int VM_PERM_EXECUTE = 1 << 2;
  public static final int VM_SPECIFIC = 1 << 4;
  public static final int VM_SPECIFIC_OVERWRITE = 1 << 5;
  public static final int VM_MAP_RANGE = 1 << 10;
  public static final int VM_REQUIRE_NON_RESIZABLE = 1 << 11;
  public static final int VM_ALLOW_FAULTS = 1 << 12;
  public static final int VM_PERM_READ_IF_XOM_UNSUPPORTED = 1 << 14;
  public static final int VM_ALIGN_BASE = 24;
  public static final int VM_ALIGN_MASK = 0xFF << VM_ALIGN_BASE;

  /** A short name for a status, for readable failure messages. */
  public static String statusName(int status) {
    return switch (status) {
      case OK -> "ZX_OK";
      case ERR_NOT_SUPPORTED -> "ZX_ERR_NOT_SUPPORTED";
      case ERR_INVALID_ARGS -> "ZX_ERR_INVALID_ARGS";
      case ERR_BAD_HANDLE -> "ZX_ERR_BAD_HANDLE";
      case ERR_WRONG_TYPE -> "ZX_ERR_WRONG_TYPE";
      case ERR_OUT_OF_RANGE -> "ZX_ERR_OUT_OF_RANGE";
      case ERR_BUFFER_TOO_SMALL -> "ZX_ERR_BUFFER_TOO_SMALL";
      case ERR_TIMED_OUT -> "ZX_ERR_TIMED_OUT";
      case ERR_NOT_FOUND -> "ZX_ERR_NOT_FOUND";
      case ERR_UNAVAILABLE -> "ZX_ERR_UNAVAILABLE";
      case ERR_ACCESS_DENIED -> "ZX_ERR_ACCESS_DENIED";
      default -> "ZX_STATUS(" + status + ")";
    };
  }
}
