import type { Distribution } from "@msf/catalog";
import type { Supervisor } from "@msf/supervisor";
import got from "got";
import { resolveMedia } from "./resolve.ts";

export interface UrlCheck {
  distro: string;
  ok: boolean;
  detail: string;
}

/**
 * For maintainers with internet: resolves each distribution's media (index, checksum file,
 * signature) and HEAD-checks every ISO URL. Needs the network, so it is not part of CI here.
 */
export async function checkCatalogUrls(
  distributions: readonly Distribution[],
  supervisor: Supervisor,
  onResult?: (check: UrlCheck) => void,
): Promise<UrlCheck[]> {
  const results: UrlCheck[] = [];
  for (const distribution of distributions.filter((d) => d.media && !d.userProvided)) {
    let check: UrlCheck;
    try {
      const media = await resolveMedia(distribution, { supervisor });
      const heads = await Promise.all(
        media.urls.map(async (url) => {
          const response = await got.head(url, { throwHttpErrors: false, timeout: { request: 30_000 }, retry: { limit: 1 } });
          return `${response.statusCode} ${url}`;
        }),
      );
      const ok = heads.some((line) => line.startsWith("200"));
      check = { distro: distribution.id, ok, detail: `${media.file} (${media.checksumSource}, signed by ${media.signedBy ?? "nobody"}): ${heads.join("; ")}` };
    } catch (error) {
      check = { distro: distribution.id, ok: false, detail: (error as Error).message };
    }
    results.push(check);
    onResult?.(check);
  }
  return results;
}
