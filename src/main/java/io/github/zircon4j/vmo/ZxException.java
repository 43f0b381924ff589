package io.github.zircon4j.vmo;

import java.util.Objects;

/**
 * A zircon syscall failed: {@link #step()} says which step of the library's operation, {@link
 * #status()} what zircon answered.
 *
 * <p>The message names the step, the status by name and number, and the facts involved (handles,
 * sizes, and options and rights by name), as the Rust {@code mapped_vmo} error enums do:
 *
 * <pre>{@code
 * failed to map child VMO: ZX_ERR_ACCESS_DENIED (-30) [options PERM_READ|REQUIRE_NON_RESIZABLE, ...]
 * }</pre>
 *
 * <p>Match on {@link #step()} and {@link #status()}, not on the message, which may change.
 */
public class ZxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * The step of an operation that failed: one constant per syscall the library makes, and one for
   * each check Rust's error enums carry. The Rust variant each one stands for, if any, is named.
   */
  public enum Step {
    /** {@code zx_vmo_get_size} (Rust: {@code ImmutableMappingError::GetVmoSize}). */
    GET_VMO_SIZE("get VMO size"),
    /**
     * The VMO is too large to be mapped as one segment; status {@code ZX_ERR_OUT_OF_RANGE}, no
     * syscall failed (Rust: {@code VmoSizeAsIsize} and {@code VmoSizeAsUsize}).
     */
    VMO_TOO_LARGE("map VMO: VMO too large"),
    /**
     * {@code zx_vmo_create_child}: the snapshot of an {@link ImmutableMapping}, or {@link
     * Vmo#snapshot} and {@link Vmo#slice} (Rust: {@code CreateChildVmo}).
     */
    CREATE_CHILD_VMO("create child VMO"),
    /**
     * {@code zx_vmar_map} of an {@link ImmutableMapping}'s snapshot (Rust: {@code MapChildVmo}).
     */
    MAP_CHILD_VMO("map child VMO"),
    /**
     * {@code zx_vmar_map} reported success with a base address of zero, which zircon never does;
     * status {@code ZX_ERR_INTERNAL} (Rust: {@code VmarMapReturnedNull}).
     */
    MAP_RETURNED_NULL("map VMO: zx_vmar_map returned a base address of zero"),
    /** {@code zx_vmo_create} ({@link Vmo#create}, {@link Mapping#allocate}). */
    CREATE_VMO("create VMO"),
    /** {@code zx_vmar_map} of a {@link Mapping} (Rust's {@code Mapping} returns the status). */
    MAP_VMO("map VMO"),
    /** {@code zx_object_set_property(ZX_PROP_NAME)}. */
    SET_VMO_NAME("set VMO name"),
    /** {@code zx_object_get_property(ZX_PROP_NAME)}. */
    GET_VMO_NAME("get VMO name"),
    /** {@code zx_vmo_set_size}. */
    SET_VMO_SIZE("set VMO size"),
    /** {@code zx_object_get_property(ZX_PROP_VMO_CONTENT_SIZE)}. */
    GET_CONTENT_SIZE("get VMO content size"),
    /** {@code zx_object_set_property(ZX_PROP_VMO_CONTENT_SIZE)}. */
    SET_CONTENT_SIZE("set VMO content size"),
    /** {@code zx_vmo_read}. */
    READ_VMO("read VMO"),
    /** {@code zx_vmo_write}. */
    WRITE_VMO("write VMO"),
    /** {@code zx_vmo_op_range(ZX_VMO_OP_COMMIT)}. */
    COMMIT_VMO("commit VMO pages"),
    /** {@code zx_vmo_op_range(ZX_VMO_OP_DECOMMIT)}. */
    DECOMMIT_VMO("decommit VMO pages"),
    /** {@code zx_vmo_op_range(ZX_VMO_OP_ZERO)}. */
    ZERO_VMO("zero VMO range"),
    /** {@code zx_handle_duplicate}. */
    DUPLICATE_HANDLE("duplicate VMO handle"),
    /** {@code zx_handle_replace}, or the rights check before it. */
    REPLACE_HANDLE("replace VMO handle"),
    /** {@code zx_object_get_info(ZX_INFO_HANDLE_BASIC)} of a handle given to {@link Vmo#adopt}. */
    ADOPT_HANDLE("adopt handle"),
    /** {@code zx_object_get_info(ZX_INFO_HANDLE_BASIC)} for {@link Vmo#rights()}. */
    GET_HANDLE_RIGHTS("get handle rights"),
    /** {@code zx_object_get_info(ZX_INFO_VMO)}. */
    GET_VMO_INFO("get VMO info"),
    /** {@code zx_vmar_op_range(ZX_VMAR_OP_MAP_RANGE)} of a mapping's {@code prefetch}. */
    PREFETCH_MAPPING("prefetch mapping"),
    /**
     * {@code zx_object_get_info(ZX_INFO_PROCESS_HANDLE_STATS)} of {@code zx_process_self()}, for
     * the leak check of {@code io.github.zircon4j.vmo.testing}.
     */
    GET_PROCESS_HANDLE_STATS("get process handle stats"),
    /** The host emulation's {@code zircon4j_fault_arm} ({@code ZirconFaults}). */
    ARM_INJECTED_FAILURE("arm an injected failure"),
    /** The host emulation's {@code zircon4j_fault_trace_start} ({@code ZirconFaults}). */
    START_SYSCALL_TRACE("start a syscall trace");

    private final String description;

    Step(String description) {
      this.description = description;
    }

    /**
     * What was being done, as the message says it: {@code "create child VMO"}.
     *
     * @return a short description
     */
    public String description() {
      return description;
    }
  }

  /** The status of the failed call. */
  private final int status;

  /** The step that failed. */
  private final Step step;

  /**
   * Creates an exception for a failed step, as this library does; public so that tests of code
   * using this library can make one. The message is {@code "failed to DESCRIPTION: NAME (STATUS)
   * [DETAILS]"}, without the brackets when {@code details} is empty.
   *
   * @param step the step that failed
   * @param status the {@code zx_status_t} returned, normally one of the negative {@link ZxStatus}
   *     codes
   * @param details extra facts (sizes, handles, options); may be empty
   * @throws NullPointerException if {@code step} or {@code details} is null
   */
  public ZxException(Step step, int status, String details) {
    super(message(step, status, details));
    this.step = step;
    this.status = status;
  }

  private static String message(Step step, int status, String details) {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(details, "details");
    return "failed to "
        + step.description()
        + ": "
        + ZxStatus.name(status)
        + " ("
        + status
        + ")"
        + (details.isEmpty() ? "" : " [" + details + "]");
  }

  /**
   * The {@code zx_status_t} the failing syscall returned, such as {@link
   * ZxStatus#ERR_ACCESS_DENIED} ({@code -30}).
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
   * The step that failed, such as {@link Step#MAP_CHILD_VMO}.
   *
   * @return the step
   */
  public Step step() {
    return step;
  }
}
