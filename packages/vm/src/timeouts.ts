/** Emulated guests (TCG) are about this much slower than accelerated ones at everything. */
const EMULATION_FACTOR = 3;

/** Pure: the scale for waiting on a guest: the configured one, times the emulation factor under TCG. */
export function guestTimeoutScale(timeoutScale: number, accel: "kvm" | "tcg"): number {
  return accel === "kvm" ? timeoutScale : timeoutScale * EMULATION_FACTOR;
}
