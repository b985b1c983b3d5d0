import type { Distribution } from "@msf/catalog";
import { FAMILIES, mailStackPackages } from "@msf/mailtest";
import { type BootstrapRecipe, recipeFor } from "@msf/preseed";

/**
 * The golden image msf boots for a distribution: the base system with the mail stack's packages
 * pre-installed (configured at deploy time), from the release and its updates (or, with
 * `withoutUpdates`, from the release as it shipped).
 */
export function imageRecipeFor(distribution: Distribution, options: { withoutUpdates?: boolean } = {}): BootstrapRecipe {
  const layout = FAMILIES[distribution.packageFamily];
  // The services stay off until `msf deploy` configures them: a fresh VM boots fast and clean.
  const disabledUnits = [...Object.values(layout.services), ...layout.freshclamUnits];
  return recipeFor(distribution, {
    packages: mailStackPackages(distribution.packageFamily),
    disabledUnits,
    ...(options.withoutUpdates ? { updates: [] } : {}),
  });
}

/** Guest ports forwarded to the host for every VM: SSH and the mail services the checks talk to. */
export const GUEST_PORTS = { ssh: 22, smtp: 25, submission: 587, smtps: 465, imap: 143, imaps: 993, pop3: 110, pop3s: 995 } as const;
