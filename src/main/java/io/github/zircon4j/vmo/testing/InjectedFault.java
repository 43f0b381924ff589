package io.github.zircon4j.vmo.testing;

import io.github.zircon4j.vmo.ZxStatus;

/**
 * An armed fault (see {@link ZirconFaults}): the thread that armed it sees its matching syscalls
 * fail until the failures are used up or it is closed. Close it on that thread, best in
 * try-with-resources.
 */
public final class InjectedFault implements AutoCloseable {
  private final int id;
  private final String syscall;
  private final int status;
  private final Thread owner;
  private int remainingAtClose = -1;

  InjectedFault(int id, String syscall, int status, Thread owner) {
    this.id = id;
    this.syscall = syscall;
    this.status = status;
    this.owner = owner;
  }

  /**
   * How many of its failures have not happened yet; 0 once every one has (the syscall was called
   * often enough). After {@link #close()}, the number left when it was closed.
   *
   * @return failures not delivered yet
   * @throws IllegalStateException if called on another thread than the one that armed it, while it
   *     is armed
   */
  public int remaining() {
    if (remainingAtClose >= 0) {
      return remainingAtClose;
    }
    requireOwner("ask");
    return ZirconFaults.library().faultRemaining(id);
  }

  /**
   * Removes the fault; later calls of the syscall run as usual. Closing again does nothing.
   *
   * @throws IllegalStateException if called on another thread than the one that armed it
   */
  @Override
  public void close() {
    if (remainingAtClose >= 0) {
      return;
    }
    requireOwner("close");
    remainingAtClose = Math.max(0, ZirconFaults.library().faultDisarm(id));
  }

  private void requireOwner(String what) {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException(
          "zircon4j: "
              + what
              + " the injected fault of "
              + syscall
              + " on the thread that armed it ("
              + owner.getName()
              + "), not on "
              + Thread.currentThread().getName());
    }
  }

  @Override
  public String toString() {
    return "InjectedFault[" + syscall + " -> " + ZxStatus.name(status) + "]";
  }
}
