export { catalogKeys } from "@msf/catalog";
export { dearmor } from "./armor.ts";
export { checkCatalogUrls, type UrlCheck } from "./check-urls.ts";
export { requireDistribution } from "./distribution.ts";
export { type DownloadOptions, downloadVerified, type FetchEvent } from "./download.ts";
export { type BootFiles, extractBootFiles, parseVolumeId, xorrisoExtractArgv } from "./extract.ts";
export { clearsignedProblem, looksClearsigned, parseGpgvStatus, type SignedInput, type VerifiedText, verifySigned } from "./gpg.ts";
export { type FetchOptions, fetchBuffer, fetchText, joinUrl, linkedNames, newestMatch, SIGNATURE_MAX_BYTES, TEXT_MAX_BYTES } from "./http.ts";
export {
  type FetchedMedia,
  type MediaEvent,
  type MediaFetchOptions,
  type MediaRow,
  mediaCheckUrls,
  mediaExtract,
  mediaFetch,
  mediaGc,
  mediaIso,
  mediaList,
  mediaNetboot,
  mediaStore,
  mediaVerify,
} from "./media.ts";
export {
  type ArchiveOptions,
  type ArchivePackage,
  fetchArchivePackages,
  fetchDebianNetboot,
  type NetbootOptions,
  packageStanza,
} from "./netboot.ts";
export { type ResolvedMedia, type ResolveOptions, resolveMedia } from "./resolve.ts";
export { memberPath, requireRegularFiles, takeFromDeb, takeFromTar, unsafeMemberPath } from "./safe-extract.ts";
export { type FetchRequest, type MediaEntry, MediaEntrySchema, MediaStore, type VerifyResult } from "./store.ts";
export {
  checkSuites,
  releaseChecksums,
  releaseFields,
  SUITE_STATE_MAX_AGE_MS,
  type SuiteCheckOptions,
  type SuiteSource,
  type SuiteState,
  SuiteStateSchema,
  staleness,
  suiteStateOf,
} from "./suite-state.ts";
export { type Checksum, type ChecksumEntry, checksumFor, type HashAlgorithm, parseChecksum, parseSums } from "./sums.ts";
