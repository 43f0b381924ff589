package io.github.zircon4j.vmo.testing;

import io.github.zircon4j.vmo.ZxStatus;

/**
 * A fault of one syscall being described: which of this thread's calls of it fail, and how many.
 * Made by {@link ZirconFaults#syscall(String)}; {@link #failWith(int)} arms it. By default the next
 * call fails, whatever its arguments.
 */
public final class FaultSpec {
  private final String syscall;
  private int skip;
  private int count = 1;
  private int handle;
  private boolean byHandle;
  private long option;
  private boolean byOption;

  FaultSpec(String syscall) {
    this.syscall = syscall;
  }

  /**
   * Only calls naming {@code handle} fail (as any of their handle arguments: {@code zx_vmar_map}
   * matches its VMAR and its VMO).
   *
   * @param handle a {@code zx_handle_t}, such as {@code vmo.handle()}
   * @return this
   * @throws IllegalArgumentException if {@code handle} is {@code ZX_HANDLE_INVALID} (0)
   */
  public FaultSpec withHandle(int handle) {
    if (handle == 0) {
      throw new IllegalArgumentException("handle must not be ZX_HANDLE_INVALID (0)");
    }
    this.handle = handle;
    this.byHandle = true;
    return this;
  }

  /**
   * Only calls whose option argument equals {@code option} fail: the options of {@code
   * zx_vmo_create}, {@code zx_vmo_create_child} and {@code zx_vmar_map}, the op of {@code
   * zx_vmo_op_range} and {@code zx_vmar_op_range}, the rights of {@code zx_handle_duplicate} and
   * {@code zx_handle_replace}, the topic of {@code zx_object_get_info}, the property of {@code
   * zx_object_get_property} and {@code zx_object_set_property}, and so on (see {@code
   * native-headers/zircon4j/fault.h}). A syscall without such an argument never matches.
   *
   * @param option the exact value, such as {@code ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE}
   * @return this
   */
  public FaultSpec withOption(int option) {
    this.option = Integer.toUnsignedLong(option);
    this.byOption = true;
    return this;
  }

  /**
   * Lets the first {@code calls} matching calls through before failing: {@code skip(1)} fails the
   * second call.
   *
   * @param calls how many matching calls run as usual first, at least 0
   * @return this
   * @throws IllegalArgumentException if {@code calls} is negative
   */
  public FaultSpec skip(int calls) {
    if (calls < 0) {
      throw new IllegalArgumentException("calls to skip must be at least 0, but is " + calls);
    }
    this.skip = calls;
    return this;
  }

  /**
   * How many matching calls fail (default 1).
   *
   * @param calls at least 1
   * @return this
   * @throws IllegalArgumentException if {@code calls} is not positive
   */
  public FaultSpec times(int calls) {
    if (calls < 1) {
      throw new IllegalArgumentException("calls to fail must be at least 1, but is " + calls);
    }
    this.count = calls;
    return this;
  }

  /**
   * Arms the fault on this thread: the matching calls return {@code status} from now on.
   *
   * @param status a negative {@code ZX_ERR_*} code of {@link ZxStatus}, such as {@link
   *     ZxStatus#ERR_NO_MEMORY}
   * @return the armed fault; close it to remove it
   * @throws IllegalArgumentException if {@code status} is not negative
   * @throws IllegalStateException if this thread already has 16 faults armed
   * @throws UnsupportedOperationException if this is a virtual thread
   */
  public InjectedFault failWith(int status) {
    if (status >= 0) {
      throw new IllegalArgumentException(
          "status must be a negative ZX_ERR_* code (see ZxStatus), but is "
              + ZxStatus.name(status)
              + " ("
              + status
              + ")");
    }
    ZirconFaults.requirePlatformThread();
    int id;
    try {
      id =
          ZirconFaults.library()
              .faultArm(syscall, status, skip, count, handle, byHandle, option, byOption);
    } catch (io.github.zircon4j.vmo.ZxException e) {
      if (e.status() == ZxStatus.ERR_NO_RESOURCES) {
        throw new IllegalStateException(
            "zircon4j: this thread already has 16 injected faults armed; close some first", e);
      }
      throw e;
    }
    return new InjectedFault(id, syscall, status, Thread.currentThread());
  }
}
