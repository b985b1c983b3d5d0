/** One line of `msf doctor`. */
export type CheckStatus = "ok" | "warn" | "fail";

export interface DoctorCheck {
  id: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}
