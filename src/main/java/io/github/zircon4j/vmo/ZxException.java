package io.github.zircon4j.vmo;

import java.util.Objects;

/**
 * A zircon syscall failed.
 *
 * <p>The message names the step that failed (for example {@code "create child VMO"}), the status by
 * name and number, and the sizes involved, in the way the Rust {@code mapped_vmo} error enum does:
 *
 * <pre>{@code
 * failed to create child VMO: ZX_ERR_ACCESS_DENIED (-30) [vmo handle 0x1a3, offset 0, size 4096]
 * }</pre>
 */
public class ZxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The status of the failed call. */
  private final int status;

  /** The step that failed, for example {@code "map child VMO"}. */
  private final String step;

  /**
   * Creates an exception for a failed step, as this library does; public so that tests of code
   * using this library can make one. The message is {@code "failed to STEP: NAME (STATUS)
   * [DETAILS]"}, without the brackets when {@code details} is empty.
   *
   * @param step what was being done, for example {@code "create child VMO"}
   * @param status the {@code zx_status_t} returned, normally one of the negative {@link ZxStatus}
   *     codes
   * @param details extra facts (sizes, handles); may be empty
   * @throws NullPointerException if {@code step} or {@code details} is null
   */
  public ZxException(String step, int status, String details) {
    super(message(step, status, details));
    this.step = step;
    this.status = status;
  }

  private static String message(String step, int status, String details) {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(details, "details");
    return "failed to "
        + step
        + ": "
        + ZxStatus.name(status)
        + " ("
        + status
        + ")"
        + (details.isEmpty() ? "" : " [" + details + "]");
  }

  /**
   * The {@code zx_status_t} the failing syscall returned, such as {@code -30}.
   *
   * @return a negative status code
   */
  public int status() {
    return status;
  }

  /**
   * The symbolic name of {@link #status()}, such as {@code "ZX_ERR_ACCESS_DENIED"}.
   *
   * @return the {@code ZX_ERR_*} name, or {@code "ZX_STATUS(n)"} for a code zircon does not define
   */
  public String statusName() {
    return ZxStatus.name(status);
  }

  /**
   * The step that failed, such as {@code "get VMO size"} or {@code "map child VMO"}.
   *
   * @return a short description of the failed step
   */
  public String step() {
    return step;
  }
}
