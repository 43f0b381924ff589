package io.github.zircon4j.vmo;

/**
 * The status codes of zircon syscalls ({@code zx_status_t}, {@code <zircon/errors.h>}): {@link #OK}
 * and the negative {@code ERR_*} codes that {@link ZxException#status()} returns.
 *
 * <p>Each value is a compile-time constant ({@code switch} works on them) with the same value as
 * the generated binding; a test checks every one against the binding. Using these constants never
 * loads the native library.
 *
 * <pre>{@code
 * try {
 *   vmo.setSize(1 << 20);
 * } catch (ZxException e) {
 *   if (e.status() == ZxStatus.ERR_UNAVAILABLE) {
 *     // not resizable
 *   }
 * }
 * }</pre>
 */
public final class ZxStatus {
  /** Success ({@code ZX_OK}). */
  public static final int OK = 0;

  /** The system encountered an unexpected error ({@code ZX_ERR_INTERNAL}). */
  public static final int ERR_INTERNAL = -1;

  /** The operation is not implemented, supported or enabled ({@code ZX_ERR_NOT_SUPPORTED}). */
  public static final int ERR_NOT_SUPPORTED = -2;

  /**
   * The system ran out of a resource other than memory, such as handles ({@code
   * ZX_ERR_NO_RESOURCES}).
   */
  public static final int ERR_NO_RESOURCES = -3;

  /** The system ran out of memory ({@code ZX_ERR_NO_MEMORY}). */
  public static final int ERR_NO_MEMORY = -4;

  /**
   * A syscall was interrupted and should be retried; never returned to user code ({@code
   * ZX_ERR_INTERNAL_INTR_RETRY}).
   */
  public static final int ERR_INTERNAL_INTR_RETRY = -6;

  /** An argument is invalid ({@code ZX_ERR_INVALID_ARGS}). */
  public static final int ERR_INVALID_ARGS = -10;

  /** A handle is not a live handle of this process ({@code ZX_ERR_BAD_HANDLE}). */
  public static final int ERR_BAD_HANDLE = -11;

  /** An object is not of the type the operation needs ({@code ZX_ERR_WRONG_TYPE}). */
  public static final int ERR_WRONG_TYPE = -12;

  /** The syscall number is invalid ({@code ZX_ERR_BAD_SYSCALL}). */
  public static final int ERR_BAD_SYSCALL = -13;

  /** An argument is outside the valid range ({@code ZX_ERR_OUT_OF_RANGE}). */
  public static final int ERR_OUT_OF_RANGE = -14;

  /** A caller-provided buffer is too small ({@code ZX_ERR_BUFFER_TOO_SMALL}). */
  public static final int ERR_BUFFER_TOO_SMALL = -15;

  /** The object is not in a state that allows the operation ({@code ZX_ERR_BAD_STATE}). */
  public static final int ERR_BAD_STATE = -20;

  /** The deadline passed before the operation completed ({@code ZX_ERR_TIMED_OUT}). */
  public static final int ERR_TIMED_OUT = -21;

  /** The operation cannot complete now; try again later ({@code ZX_ERR_SHOULD_WAIT}). */
  public static final int ERR_SHOULD_WAIT = -22;

  /** The operation was canceled ({@code ZX_ERR_CANCELED}). */
  public static final int ERR_CANCELED = -23;

  /** The other end of the object was closed ({@code ZX_ERR_PEER_CLOSED}). */
  public static final int ERR_PEER_CLOSED = -24;

  /** The requested entity was not found ({@code ZX_ERR_NOT_FOUND}). */
  public static final int ERR_NOT_FOUND = -25;

  /** An object with that name or identity already exists ({@code ZX_ERR_ALREADY_EXISTS}). */
  public static final int ERR_ALREADY_EXISTS = -26;

  /** The name or object is already bound to something else ({@code ZX_ERR_ALREADY_BOUND}). */
  public static final int ERR_ALREADY_BOUND = -27;

  /** The resource is unavailable, for now or for this object ({@code ZX_ERR_UNAVAILABLE}). */
  public static final int ERR_UNAVAILABLE = -28;

  /** The handle lacks a right the operation needs ({@code ZX_ERR_ACCESS_DENIED}). */
  public static final int ERR_ACCESS_DENIED = -30;

  /** An input/output error ({@code ZX_ERR_IO}). */
  public static final int ERR_IO = -40;

  /** The device refused the operation ({@code ZX_ERR_IO_REFUSED}). */
  public static final int ERR_IO_REFUSED = -41;

  /** The data failed an integrity check ({@code ZX_ERR_IO_DATA_INTEGRITY}). */
  public static final int ERR_IO_DATA_INTEGRITY = -42;

  /** Data was lost ({@code ZX_ERR_IO_DATA_LOSS}). */
  public static final int ERR_IO_DATA_LOSS = -43;

  /** The device is not present ({@code ZX_ERR_IO_NOT_PRESENT}). */
  public static final int ERR_IO_NOT_PRESENT = -44;

  /** More data arrived than could be handled ({@code ZX_ERR_IO_OVERRUN}). */
  public static final int ERR_IO_OVERRUN = -45;

  /** An operation missed its deadline ({@code ZX_ERR_IO_MISSED_DEADLINE}). */
  public static final int ERR_IO_MISSED_DEADLINE = -46;

  /** The data or request is invalid for the device ({@code ZX_ERR_IO_INVALID}). */
  public static final int ERR_IO_INVALID = -47;

  /** A path is malformed ({@code ZX_ERR_BAD_PATH}). */
  public static final int ERR_BAD_PATH = -50;

  /** The object is not a directory ({@code ZX_ERR_NOT_DIR}). */
  public static final int ERR_NOT_DIR = -51;

  /** The object is not a regular file ({@code ZX_ERR_NOT_FILE}). */
  public static final int ERR_NOT_FILE = -52;

  /** The file would exceed a size limit ({@code ZX_ERR_FILE_BIG}). */
  public static final int ERR_FILE_BIG = -53;

  /** The file system or device is full ({@code ZX_ERR_NO_SPACE}). */
  public static final int ERR_NO_SPACE = -54;

  /** The directory is not empty ({@code ZX_ERR_NOT_EMPTY}). */
  public static final int ERR_NOT_EMPTY = -55;

  /** A callback asks its caller to stop; no syscall returns it ({@code ZX_ERR_STOP}). */
  public static final int ERR_STOP = -60;

  /**
   * A callback asks its caller to go on with the next item; no syscall returns it ({@code
   * ZX_ERR_NEXT}).
   */
  public static final int ERR_NEXT = -61;

  /** A callback will finish asynchronously; no syscall returns it ({@code ZX_ERR_ASYNC}). */
  public static final int ERR_ASYNC = -62;

  /** The protocol is not supported ({@code ZX_ERR_PROTOCOL_NOT_SUPPORTED}). */
  public static final int ERR_PROTOCOL_NOT_SUPPORTED = -70;

  /** The host is unreachable ({@code ZX_ERR_ADDRESS_UNREACHABLE}). */
  public static final int ERR_ADDRESS_UNREACHABLE = -71;

  /** The address is already in use ({@code ZX_ERR_ADDRESS_IN_USE}). */
  public static final int ERR_ADDRESS_IN_USE = -72;

  /** The socket is not connected ({@code ZX_ERR_NOT_CONNECTED}). */
  public static final int ERR_NOT_CONNECTED = -73;

  /** The remote peer refused the connection ({@code ZX_ERR_CONNECTION_REFUSED}). */
  public static final int ERR_CONNECTION_REFUSED = -74;

  /** The connection was reset ({@code ZX_ERR_CONNECTION_RESET}). */
  public static final int ERR_CONNECTION_RESET = -75;

  /** The connection was aborted ({@code ZX_ERR_CONNECTION_ABORTED}). */
  public static final int ERR_CONNECTION_ABORTED = -76;

  /** The thread is being killed; private to the vDSO ({@code ZX_ERR_INTERNAL_INTR_KILLED}). */
  public static final int ERR_INTERNAL_INTR_KILLED = -502;

  private ZxStatus() {}

  /**
   * The symbolic name of a status: {@code "ZX_ERR_ACCESS_DENIED"} for {@code -30}.
   *
   * @param status a {@code zx_status_t}
   * @return its {@code ZX_OK} or {@code ZX_ERR_*} name, or {@code "ZX_STATUS(n)"} for a value
   *     zircon does not define
   */
  public static String name(int status) {
    return switch (status) {
      case OK -> "ZX_OK";
      case ERR_INTERNAL -> "ZX_ERR_INTERNAL";
      case ERR_NOT_SUPPORTED -> "ZX_ERR_NOT_SUPPORTED";
      case ERR_NO_RESOURCES -> "ZX_ERR_NO_RESOURCES";
      case ERR_NO_MEMORY -> "ZX_ERR_NO_MEMORY";
      case ERR_INTERNAL_INTR_RETRY -> "ZX_ERR_INTERNAL_INTR_RETRY";
      case ERR_INVALID_ARGS -> "ZX_ERR_INVALID_ARGS";
      case ERR_BAD_HANDLE -> "ZX_ERR_BAD_HANDLE";
      case ERR_WRONG_TYPE -> "ZX_ERR_WRONG_TYPE";
      case ERR_BAD_SYSCALL -> "ZX_ERR_BAD_SYSCALL";
      case ERR_OUT_OF_RANGE -> "ZX_ERR_OUT_OF_RANGE";
      case ERR_BUFFER_TOO_SMALL -> "ZX_ERR_BUFFER_TOO_SMALL";
      case ERR_BAD_STATE -> "ZX_ERR_BAD_STATE";
      case ERR_TIMED_OUT -> "ZX_ERR_TIMED_OUT";
      case ERR_SHOULD_WAIT -> "ZX_ERR_SHOULD_WAIT";
      case ERR_CANCELED -> "ZX_ERR_CANCELED";
      case ERR_PEER_CLOSED -> "ZX_ERR_PEER_CLOSED";
      case ERR_NOT_FOUND -> "ZX_ERR_NOT_FOUND";
      case ERR_ALREADY_EXISTS -> "ZX_ERR_ALREADY_EXISTS";
      case ERR_ALREADY_BOUND -> "ZX_ERR_ALREADY_BOUND";
      case ERR_UNAVAILABLE -> "ZX_ERR_UNAVAILABLE";
      case ERR_ACCESS_DENIED -> "ZX_ERR_ACCESS_DENIED";
      case ERR_IO -> "ZX_ERR_IO";
      case ERR_IO_REFUSED -> "ZX_ERR_IO_REFUSED";
      case ERR_IO_DATA_INTEGRITY -> "ZX_ERR_IO_DATA_INTEGRITY";
      case ERR_IO_DATA_LOSS -> "ZX_ERR_IO_DATA_LOSS";
      case ERR_IO_NOT_PRESENT -> "ZX_ERR_IO_NOT_PRESENT";
      case ERR_IO_OVERRUN -> "ZX_ERR_IO_OVERRUN";
      case ERR_IO_MISSED_DEADLINE -> "ZX_ERR_IO_MISSED_DEADLINE";
      case ERR_IO_INVALID -> "ZX_ERR_IO_INVALID";
      case ERR_BAD_PATH -> "ZX_ERR_BAD_PATH";
      case ERR_NOT_DIR -> "ZX_ERR_NOT_DIR";
      case ERR_NOT_FILE -> "ZX_ERR_NOT_FILE";
      case ERR_FILE_BIG -> "ZX_ERR_FILE_BIG";
      case ERR_NO_SPACE -> "ZX_ERR_NO_SPACE";
      case ERR_NOT_EMPTY -> "ZX_ERR_NOT_EMPTY";
      case ERR_STOP -> "ZX_ERR_STOP";
      case ERR_NEXT -> "ZX_ERR_NEXT";
      case ERR_ASYNC -> "ZX_ERR_ASYNC";
      case ERR_PROTOCOL_NOT_SUPPORTED -> "ZX_ERR_PROTOCOL_NOT_SUPPORTED";
      case ERR_ADDRESS_UNREACHABLE -> "ZX_ERR_ADDRESS_UNREACHABLE";
      case ERR_ADDRESS_IN_USE -> "ZX_ERR_ADDRESS_IN_USE";
      case ERR_NOT_CONNECTED -> "ZX_ERR_NOT_CONNECTED";
      case ERR_CONNECTION_REFUSED -> "ZX_ERR_CONNECTION_REFUSED";
      case ERR_CONNECTION_RESET -> "ZX_ERR_CONNECTION_RESET";
      case ERR_CONNECTION_ABORTED -> "ZX_ERR_CONNECTION_ABORTED";
      case ERR_INTERNAL_INTR_KILLED -> "ZX_ERR_INTERNAL_INTR_KILLED";
      default -> "ZX_STATUS(" + status + ")";
    };
  }
}
