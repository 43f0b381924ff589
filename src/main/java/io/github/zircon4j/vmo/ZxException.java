package io.github.zircon4j.vmo;

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

  /** The step that failed, e.g. {@code "map child VMO"}. */
  private final String step;

  /**
   * Creates an exception for a failed step.
   *
   * @param step what was being done, e.g. {@code "create child VMO"}
   * @param status the {@code zx_status_t} returned (negative)
   * @param details extra facts (sizes, handles); may be empty
   */
  ZxException(String step, int status, String details) {
    super(
        "failed to "
            + step
            + ": "
            + StatusNames.nameOf(status)
            + " ("
            + status
            + ")"
            + (details.isEmpty() ? "" : " [" + details + "]"));
    this.step = step;
    this.status = status;
  }

  /**
   * The {@code zx_status_t} the failing syscall returned, e.g. {@code -30}.
   *
   * @return a negative status code
   */
  public int status() {
    return status;
  }

  /**
   * The symbolic name of {@link #status()}, e.g. {@code "ZX_ERR_ACCESS_DENIED"}.
   *
   * @return the {@code ZX_ERR_*} name, or {@code "ZX_STATUS(n)"} for a code zircon does not define
   */
  public String statusName() {
    return StatusNames.nameOf(status);
  }

  /**
   * The step that failed, e.g. {@code "get VMO size"} or {@code "map child VMO"}.
   *
   * @return a short description of the failed step
   */
  public String step() {
    return step;
  }
}
