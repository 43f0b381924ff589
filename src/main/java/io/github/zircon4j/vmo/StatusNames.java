package io.github.zircon4j.vmo;

import static io.github.zircon4j.zircon.Zircon.*;

import java.util.Map;

/** Names of {@code zx_status_t} values, taken from the generated bindings' constants. */
final class StatusNames {
  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(ZX_OK(), "ZX_OK"),
          Map.entry(ZX_ERR_INTERNAL(), "ZX_ERR_INTERNAL"),
          Map.entry(ZX_ERR_NOT_SUPPORTED(), "ZX_ERR_NOT_SUPPORTED"),
          Map.entry(ZX_ERR_NO_RESOURCES(), "ZX_ERR_NO_RESOURCES"),
          Map.entry(ZX_ERR_NO_MEMORY(), "ZX_ERR_NO_MEMORY"),
          Map.entry(ZX_ERR_INTERNAL_INTR_RETRY(), "ZX_ERR_INTERNAL_INTR_RETRY"),
          Map.entry(ZX_ERR_INVALID_ARGS(), "ZX_ERR_INVALID_ARGS"),
          Map.entry(ZX_ERR_BAD_HANDLE(), "ZX_ERR_BAD_HANDLE"),
          Map.entry(ZX_ERR_WRONG_TYPE(), "ZX_ERR_WRONG_TYPE"),
          Map.entry(ZX_ERR_BAD_SYSCALL(), "ZX_ERR_BAD_SYSCALL"),
          Map.entry(ZX_ERR_OUT_OF_RANGE(), "ZX_ERR_OUT_OF_RANGE"),
          Map.entry(ZX_ERR_BUFFER_TOO_SMALL(), "ZX_ERR_BUFFER_TOO_SMALL"),
          Map.entry(ZX_ERR_BAD_STATE(), "ZX_ERR_BAD_STATE"),
          Map.entry(ZX_ERR_TIMED_OUT(), "ZX_ERR_TIMED_OUT"),
          Map.entry(ZX_ERR_SHOULD_WAIT(), "ZX_ERR_SHOULD_WAIT"),
          Map.entry(ZX_ERR_CANCELED(), "ZX_ERR_CANCELED"),
          Map.entry(ZX_ERR_PEER_CLOSED(), "ZX_ERR_PEER_CLOSED"),
          Map.entry(ZX_ERR_NOT_FOUND(), "ZX_ERR_NOT_FOUND"),
          Map.entry(ZX_ERR_ALREADY_EXISTS(), "ZX_ERR_ALREADY_EXISTS"),
          Map.entry(ZX_ERR_ALREADY_BOUND(), "ZX_ERR_ALREADY_BOUND"),
          Map.entry(ZX_ERR_UNAVAILABLE(), "ZX_ERR_UNAVAILABLE"),
          Map.entry(ZX_ERR_ACCESS_DENIED(), "ZX_ERR_ACCESS_DENIED"),
          Map.entry(ZX_ERR_IO(), "ZX_ERR_IO"),
          Map.entry(ZX_ERR_IO_REFUSED(), "ZX_ERR_IO_REFUSED"),
          Map.entry(ZX_ERR_IO_DATA_INTEGRITY(), "ZX_ERR_IO_DATA_INTEGRITY"),
          Map.entry(ZX_ERR_IO_DATA_LOSS(), "ZX_ERR_IO_DATA_LOSS"),
          Map.entry(ZX_ERR_IO_NOT_PRESENT(), "ZX_ERR_IO_NOT_PRESENT"),
          Map.entry(ZX_ERR_IO_OVERRUN(), "ZX_ERR_IO_OVERRUN"),
          Map.entry(ZX_ERR_IO_MISSED_DEADLINE(), "ZX_ERR_IO_MISSED_DEADLINE"),
          Map.entry(ZX_ERR_IO_INVALID(), "ZX_ERR_IO_INVALID"),
          Map.entry(ZX_ERR_BAD_PATH(), "ZX_ERR_BAD_PATH"),
          Map.entry(ZX_ERR_NOT_DIR(), "ZX_ERR_NOT_DIR"),
          Map.entry(ZX_ERR_NOT_FILE(), "ZX_ERR_NOT_FILE"),
          Map.entry(ZX_ERR_FILE_BIG(), "ZX_ERR_FILE_BIG"),
          Map.entry(ZX_ERR_NO_SPACE(), "ZX_ERR_NO_SPACE"),
          Map.entry(ZX_ERR_NOT_EMPTY(), "ZX_ERR_NOT_EMPTY"),
          Map.entry(ZX_ERR_STOP(), "ZX_ERR_STOP"),
          Map.entry(ZX_ERR_NEXT(), "ZX_ERR_NEXT"),
          Map.entry(ZX_ERR_ASYNC(), "ZX_ERR_ASYNC"),
          Map.entry(ZX_ERR_PROTOCOL_NOT_SUPPORTED(), "ZX_ERR_PROTOCOL_NOT_SUPPORTED"),
          Map.entry(ZX_ERR_ADDRESS_UNREACHABLE(), "ZX_ERR_ADDRESS_UNREACHABLE"),
          Map.entry(ZX_ERR_ADDRESS_IN_USE(), "ZX_ERR_ADDRESS_IN_USE"),
          Map.entry(ZX_ERR_NOT_CONNECTED(), "ZX_ERR_NOT_CONNECTED"),
          Map.entry(ZX_ERR_CONNECTION_REFUSED(), "ZX_ERR_CONNECTION_REFUSED"),
          Map.entry(ZX_ERR_CONNECTION_RESET(), "ZX_ERR_CONNECTION_RESET"),
          Map.entry(ZX_ERR_CONNECTION_ABORTED(), "ZX_ERR_CONNECTION_ABORTED"),
          Map.entry(ZX_ERR_INTERNAL_INTR_KILLED(), "ZX_ERR_INTERNAL_INTR_KILLED"));

  private StatusNames() {}

  /** {@code ZX_ERR_ACCESS_DENIED} for -30; {@code ZX_STATUS(-999)} for codes zircon lacks. */
  static String nameOf(int status) {
    String name = NAMES.get(status);
    return name != null ? name : "ZX_STATUS(" + status + ")";
  }
}
